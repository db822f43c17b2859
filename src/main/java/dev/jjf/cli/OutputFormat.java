package dev.jjf.cli;

/** What render writes; the name is also the default file's extension. */
enum OutputFormat {
    svg, folded, json;

    String defaultFileName() {
        return "flames." + name();
    }
}
