// Interactivity for jjf flamegraphs: details on hover, zoom on click, regex search.
// Frame names come from profiled programs and may be hostile, so they are data only: read with
// getAttribute/textContent and written with textContent, never parsed as markup or code.
(function () {
  'use strict';

  var SVG_NS = 'http://www.w3.org/2000/svg';
  var BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

  var layer = document.getElementById('frames');
  if (!layer) {
    return;
  }
  function num(el, attr) {
    return Number(el.getAttribute(attr));
  }
  // Geometry comes from the renderer so that both sides fit labels by the same rule.
  var left = num(layer, 'data-left');
  var span = num(layer, 'data-span');
  var charWidth = num(layer, 'data-char-width');
  var textPad = num(layer, 'data-text-pad');
  var minChars = num(layer, 'data-min-chars');
  var baseline = num(layer, 'data-baseline');
  var total = num(layer, 'data-total');
  var unit = layer.getAttribute('data-unit') || '';

  var details = document.getElementById('details');
  var unzoomButton = document.getElementById('unzoom');
  var searchButton = document.getElementById('search');
  var resetSearchButton = document.getElementById('resetsearch');
  var matchedText = document.getElementById('matched');
  var detailsHint = details ? details.textContent : '';

  // Frames are in pre-order, so a frame's subtree is the run of frames up to its last descendant.
  var frames = [];
  var byGroup = new Map();
  var open = [];
  Array.prototype.forEach.call(layer.querySelectorAll('g.frame'), function (g, i) {
    var rect = g.querySelector('rect');
    var label = g.querySelector('text');
    var title = g.querySelector('title');
    var f = {
      index: i,
      last: i,
      g: g,
      rect: rect,
      label: label,
      name: g.getAttribute('data-name') || '',
      tooltip: title ? title.textContent : '',
      depth: num(g, 'data-depth'),
      start: num(g, 'data-start'),
      width: num(g, 'data-width'),
      value: num(g, 'data-value'),
      x0: rect.getAttribute('x'),
      w0: rect.getAttribute('width'),
      label0: label ? label.textContent : '',
      labelX0: label ? label.getAttribute('x') : null
    };
    while (open.length && open[open.length - 1].depth >= f.depth) {
      open.pop().last = i - 1;
    }
    open.push(f);
    frames.push(f);
    byGroup.set(g, f);
  });
  while (open.length) {
    open.pop().last = frames.length - 1;
  }

  function show(el, visible) {
    if (el) {
      el.classList.toggle('hidden', !visible);
    }
  }

  // Same rule as SvgFormat.fitLabel in the renderer.
  function fitLabel(name, width) {
    var max = Math.floor((width - 2 * textPad) / charWidth);
    if (max < minChars) {
      return '';
    }
    if (name.length <= max) {
      return name;
    }
    var cut = max - 2;
    var c = name.charCodeAt(cut - 1);
    if (c >= 0xd800 && c <= 0xdbff) {
      cut--;
    }
    return name.slice(0, cut) + '..';
  }

  // Same units as SvgFormat.human in the renderer.
  function human(v) {
    if (unit === 'bytes') {
      var k = 0;
      while (k < BYTE_UNITS.length - 1 && Math.abs(v) >= (k === 0 ? 1023.5 : 1023.95)) {
        v /= 1024;
        k++;
      }
      return k === 0 ? Math.round(v) + ' B' : v.toFixed(1) + ' ' + BYTE_UNITS[k];
    }
    return Math.round(v).toLocaleString('en-US') + ' ' + unit;
  }

  function percent(v) {
    return (total > 0 ? v / total * 100 : 0).toFixed(2) + '%';
  }

  function place(f, x, width) {
    f.rect.setAttribute('x', x.toFixed(2));
    f.rect.setAttribute('width', width.toFixed(2));
    var text = fitLabel(f.name, width);
    if (!f.label) {
      if (!text) {
        return;
      }
      // Frames too narrow for a label at first get one when a zoom widens them.
      f.label = document.createElementNS(SVG_NS, 'text');
      f.label.setAttribute('class', 'label');
      f.label.setAttribute('y', (Number(f.rect.getAttribute('y')) + baseline).toFixed(2));
      f.g.appendChild(f.label);
    }
    f.label.setAttribute('x', (x + textPad).toFixed(2));
    f.label.textContent = text;
  }

  var zoomed = null;

  function zoom(z) {
    if (z.index === 0) {
      unzoom();
      return;
    }
    frames.forEach(function (f) {
      var inside = f.index >= z.index && f.index <= z.last;
      var caller = f.index < z.index && z.index <= f.last;
      f.g.classList.toggle('hide', !inside && !caller);
      f.g.classList.toggle('parent', caller);
      if (inside) {
        place(f, left + (f.start - z.start) / z.width * span, f.width / z.width * span);
      } else if (caller) {
        place(f, left, span);
      }
    });
    zoomed = z;
    show(unzoomButton, true);
  }

  function unzoom() {
    frames.forEach(function (f) {
      f.g.classList.remove('hide', 'parent');
      f.rect.setAttribute('x', f.x0);
      f.rect.setAttribute('width', f.w0);
      if (f.label) {
        f.label.textContent = f.label0;
        if (f.labelX0 !== null) {
          f.label.setAttribute('x', f.labelX0);
        }
      }
    });
    zoomed = null;
    show(unzoomButton, false);
  }

  var lastPattern = '';

  function search(pattern) {
    var re;
    try {
      re = new RegExp(pattern);
    } catch (e) {
      matchedText.textContent = 'Invalid regular expression';
      show(matchedText, true);
      return;
    }
    lastPattern = pattern;
    // A match inside a matched frame's subtree is the same memory: count each subtree once.
    var sum = 0;
    var hits = 0;
    var coveredUpTo = -1;
    frames.forEach(function (f) {
      var hit = re.test(f.name);
      f.g.classList.toggle('match', hit);
      if (hit) {
        hits++;
        if (f.index > coveredUpTo) {
          sum += f.value;
          coveredUpTo = f.last;
        }
      }
    });
    matchedText.textContent = 'Matched: ' + percent(sum) + ' (' + human(sum) + ', '
        + hits + (hits === 1 ? ' frame)' : ' frames)');
    show(matchedText, true);
    show(resetSearchButton, true);
  }

  function resetSearch() {
    frames.forEach(function (f) {
      f.g.classList.remove('match');
    });
    lastPattern = '';
    matchedText.textContent = '';
    show(matchedText, false);
    show(resetSearchButton, false);
  }

  function askSearch() {
    var pattern = window.prompt('Search frames (regular expression):', lastPattern);
    if (pattern === null) {
      return;
    }
    if (pattern === '') {
      resetSearch();
    } else {
      search(pattern);
    }
  }

  function frameOf(event) {
    var g = event.target.closest ? event.target.closest('g.frame') : null;
    return g ? byGroup.get(g) : undefined;
  }

  layer.addEventListener('mouseover', function (event) {
    var f = frameOf(event);
    if (f && details) {
      details.textContent = f.tooltip;
    }
  });
  layer.addEventListener('mouseout', function (event) {
    if (details && frameOf(event)) {
      details.textContent = detailsHint;
    }
  });
  layer.addEventListener('click', function (event) {
    var f = frameOf(event);
    if (f) {
      zoom(f);
    }
  });
  if (unzoomButton) {
    unzoomButton.addEventListener('click', unzoom);
  }
  if (searchButton) {
    searchButton.addEventListener('click', askSearch);
  }
  if (resetSearchButton) {
    resetSearchButton.addEventListener('click', resetSearch);
  }
  document.addEventListener('keydown', function (event) {
    if ((event.ctrlKey || event.metaKey) && (event.key === 'f' || event.key === 'F')) {
      // The browser's own find cannot see truncated labels, so offer the frame search instead.
      event.preventDefault();
      askSearch();
    } else if (event.key === 'Escape') {
      if (lastPattern) {
        resetSearch();
      } else if (zoomed) {
        unzoom();
      }
    }
  });
  document.documentElement.setAttribute('data-jjf-ready', 'true');
})();
