package dev.jjf.symbols;

import dev.jjf.symbols.DemanglerNode.AbiTagged;
import dev.jjf.symbols.DemanglerNode.ArgPack;
import dev.jjf.symbols.DemanglerNode.ArrayType;
import dev.jjf.symbols.DemanglerNode.Builtin;
import dev.jjf.symbols.DemanglerNode.CtorDtor;
import dev.jjf.symbols.DemanglerNode.CtorVtable;
import dev.jjf.symbols.DemanglerNode.Expr;
import dev.jjf.symbols.DemanglerNode.FunctionEncoding;
import dev.jjf.symbols.DemanglerNode.FunctionType;
import dev.jjf.symbols.DemanglerNode.Lambda;
import dev.jjf.symbols.DemanglerNode.Literal;
import dev.jjf.symbols.DemanglerNode.LocalName;
import dev.jjf.symbols.DemanglerNode.MemberPointer;
import dev.jjf.symbols.DemanglerNode.Modifier;
import dev.jjf.symbols.DemanglerNode.Name;
import dev.jjf.symbols.DemanglerNode.PackExpansion;
import dev.jjf.symbols.DemanglerNode.Pointer;
import dev.jjf.symbols.DemanglerNode.PrefixedName;
import dev.jjf.symbols.DemanglerNode.QualifiedName;
import dev.jjf.symbols.DemanglerNode.Qualifier;
import dev.jjf.symbols.DemanglerNode.Reference;
import dev.jjf.symbols.DemanglerNode.TemplateArgs;
import dev.jjf.symbols.DemanglerNode.TemplateId;
import dev.jjf.symbols.DemanglerNode.TemplateParam;
import dev.jjf.symbols.DemanglerNode.ThisQuals;
import dev.jjf.symbols.DemanglerNode.VectorType;
import dev.jjf.symbols.DemanglerNode.Wrapped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Recursive-descent parser for the Itanium C++ ABI mangling grammar
 * (https://itanium-cxx-abi.github.io/cxx-abi/abi.html#mangling). One instance per symbol.
 */
final class DemanglerParser {

    /** Thrown to abandon a symbol; carries no stack trace, so it is cheap and immutable. */
    static final class Fail extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final Fail INSTANCE = new Fail();

        private Fail() {
            super(null, null, false, false);
        }
    }

    /** Real symbols nest a few dozen levels at most; anything deeper is hostile. */
    private static final int MAX_DEPTH = 200;
    private static final int MAX_RETRIES = 16;

    private static final Name STD = new Name("std");
    private static final Builtin VOID = new Builtin("void", '?');
    /** One-letter builtin type codes, and the types they stand for at the same index. */
    private static final String BUILTIN_CODES = "vwbcahstijlmxynofdegz";
    private static final List<Builtin> BUILTINS = List.of(VOID,
            new Builtin("wchar_t", '?'), new Builtin("bool", 'b'), new Builtin("char", '?'),
            new Builtin("signed char", '?'), new Builtin("unsigned char", '?'), new Builtin("short", '?'),
            new Builtin("unsigned short", '?'), new Builtin("int", 'i'), new Builtin("unsigned int", 'j'),
            new Builtin("long", 'l'), new Builtin("unsigned long", 'm'), new Builtin("long long", 'x'),
            new Builtin("unsigned long long", 'y'), new Builtin("__int128", '?'),
            new Builtin("unsigned __int128", '?'), new Builtin("float", 'f'), new Builtin("double", 'f'),
            new Builtin("long double", 'f'), new Builtin("__float128", 'f'), new Builtin("...", '?'));

    /** Builtin types spelled {@code D<letter>}. */
    private static Builtin dBuiltin(char code) {
        switch (code) {
            case 'd': return new Builtin("decimal64", '?');
            case 'e': return new Builtin("decimal128", '?');
            case 'f': return new Builtin("decimal32", '?');
            case 'h': return new Builtin("half", '?');
            case 'i': return new Builtin("char32_t", '?');
            case 's': return new Builtin("char16_t", '?');
            case 'u': return new Builtin("char8_t", '?');
            case 'a': return new Builtin("auto", '?');
            case 'c': return new Builtin("decltype(auto)", '?');
            case 'n': return new Builtin("decltype(nullptr)", '?');
            default: return null;
        }
    }

    /** An operator's spelling and, when it can appear in an expression in the plain way, its arity. */
    private record Operator(String symbol, int arity) {
    }

    /** Arity 0 marks operators that only appear as names or that expressions handle specially. */
    private static final Map<String, Operator> OPERATORS = Map.ofEntries(
            op("nw", "new", 0), op("na", "new[]", 0), op("dl", "delete", 0), op("da", "delete[]", 0),
            op("aw", "co_await", 1), op("ps", "+", 1), op("ng", "-", 1), op("ad", "&", 1), op("de", "*", 1),
            op("co", "~", 1), op("pl", "+", 2), op("mi", "-", 2), op("ml", "*", 2), op("dv", "/", 2),
            op("rm", "%", 2), op("an", "&", 2), op("or", "|", 2), op("eo", "^", 2), op("aS", "=", 2),
            op("pL", "+=", 2), op("mI", "-=", 2), op("mL", "*=", 2), op("dV", "/=", 2), op("rM", "%=", 2),
            op("aN", "&=", 2), op("oR", "|=", 2), op("eO", "^=", 2), op("ls", "<<", 2), op("rs", ">>", 2),
            op("lS", "<<=", 2), op("rS", ">>=", 2), op("eq", "==", 2), op("ne", "!=", 2), op("lt", "<", 2),
            op("gt", ">", 2), op("le", "<=", 2), op("ge", ">=", 2), op("ss", "<=>", 2), op("nt", "!", 1),
            op("aa", "&&", 2), op("oo", "||", 2), op("pp", "++", 0), op("mm", "--", 0), op("cm", ",", 2),
            op("pm", "->*", 2), op("pt", "->", 0), op("cl", "()", 0), op("ix", "[]", 0), op("qu", "?", 0),
            op("st", "sizeof", 0), op("sz", "sizeof", 0), op("at", "alignof", 0), op("az", "alignof", 0),
            op("ds", ".*", 2));

    private static Map.Entry<String, Operator> op(String code, String symbol, int arity) {
        return Map.entry(code, new Operator(symbol, arity));
    }

    private static Operator operator(char a, char b) {
        return OPERATORS.get(new String(new char[] {a, b}));
    }

    private final String in;
    private final int end;
    private int pos;
    private int depth;
    private int retries;
    private final ArrayList<DemanglerNode> subs = new ArrayList<>();
    /** Ctor and dtor names repeat the last source name seen, as c++filt does. */
    private DemanglerNode lastName;
    /** In {@code cv T_ I...E} the template args belong to the operator, not to the parameter. */
    private boolean inConversion;

    // What parseName learnt about the name it returned, for the encoding that owns it.
    private boolean nameTemplated;
    private boolean nameNoReturnType;
    private String nameQuals;
    /** Set by parseUnqualifiedName: the name was a ctor, dtor or conversion operator. */
    private boolean unqualNoReturnType;

    private DemanglerParser(String in, int pos) {
        this.in = in;
        this.end = in.length();
        this.pos = pos;
    }

    /** Demangles a whole {@code _Z} symbol, or returns null. */
    static String demangle(String symbol) {
        DemanglerParser p = new DemanglerParser(symbol, 2);
        DemanglerNode n = p.parseEncoding(true);
        n = p.parseCloneSuffixes(n);
        if (p.pos != p.end) {
            return null;
        }
        return new DemanglerPrinter().render(n);
    }

    /** Demangles the {@code _Z} name a {@code _GLOBAL__I_} constructor is keyed to; c++filt ignores what follows it. */
    static String demangleKeyed(String symbol) {
        DemanglerParser p = new DemanglerParser(symbol, 2);
        DemanglerNode n = p.parseEncoding(true);
        return new DemanglerPrinter().render(n);
    }

    // ---------------------------------------------------------------- scanning helpers

    private char peek() {
        return pos < end ? in.charAt(pos) : '\0';
    }

    private char peek(int ahead) {
        int i = pos + ahead;
        return i < end ? in.charAt(i) : '\0';
    }

    private boolean atEnd() {
        return pos >= end;
    }

    private void expect(char c) {
        if (peek() != c) {
            throw Fail.INSTANCE;
        }
        pos++;
    }

    private void enter() {
        if (++depth > MAX_DEPTH) {
            throw Fail.INSTANCE;
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** A non-negative decimal number; the bound keeps lengths and indexes far from overflow. */
    private int parseNumber() {
        int start = pos;
        long v = 0;
        while (isDigit(peek())) {
            v = v * 10 + (in.charAt(pos++) - '0');
            if (v > Integer.MAX_VALUE / 2) {
                throw Fail.INSTANCE;
            }
        }
        if (pos == start) {
            throw Fail.INSTANCE;
        }
        return (int) v;
    }

    private String parseDigits() {
        int start = pos;
        while (isDigit(peek())) {
            pos++;
        }
        if (pos == start) {
            throw Fail.INSTANCE;
        }
        return in.substring(start, pos);
    }

    /** {@code _} is 0, {@code <n>_} is n + 1: the shape of every optional index in the ABI. */
    private int parseIndexThenUnderscore() {
        if (peek() == '_') {
            pos++;
            return 0;
        }
        int n = parseNumber();
        expect('_');
        return n + 1;
    }

    private DemanglerNode sub(int index) {
        if (index >= subs.size()) {
            throw Fail.INSTANCE;
        }
        return subs.get(index);
    }

    // ---------------------------------------------------------------- encodings

    private DemanglerNode parseEncoding(boolean top) {
        enter();
        char c = peek();
        DemanglerNode result;
        if (c == 'G' || c == 'T') {
            result = parseSpecialName();
        } else {
            DemanglerNode name = parseName();
            boolean templated = nameTemplated;
            boolean noReturn = nameNoReturnType;
            String quals = nameQuals;
            if (atEnd() || (!top && peek() == 'E')) {
                result = name;
            } else {
                DemanglerNode ret = templated && !noReturn ? parseType() : null;
                DemanglerNode[] params = parseParams();
                result = new FunctionEncoding(name, new FunctionType(ret, params, DemanglerNode.NONE, ""),
                        quals == null ? null : new ThisQuals(quals));
            }
        }
        depth--;
        return result;
    }

    /** One or more parameter types, up to E or a clone suffix; a lone {@code void} means an empty list. */
    private DemanglerNode[] parseParams() {
        ArrayList<DemanglerNode> params = new ArrayList<>(4);
        do {
            params.add(parseType());
        } while (!atEnd() && peek() != 'E' && peek() != '.');
        if (params.size() == 1 && params.get(0) == VOID) {
            return DemanglerNode.NONE;
        }
        return params.toArray(DemanglerNode.NONE);
    }

    private DemanglerNode parseSpecialName() {
        char c = peek();
        char d = peek(1);
        pos += 2;
        if (c == 'T') {
            switch (d) {
                case 'V': return new Wrapped("vtable for ", parseType(), "");
                case 'T': return new Wrapped("VTT for ", parseType(), "");
                case 'I': return new Wrapped("typeinfo for ", parseType(), "");
                case 'S': return new Wrapped("typeinfo name for ", parseType(), "");
                case 'h':
                    parseCallOffset('h');
                    return new Wrapped("non-virtual thunk to ", parseEncoding(false), "");
                case 'v':
                    parseCallOffset('v');
                    return new Wrapped("virtual thunk to ", parseEncoding(false), "");
                case 'c':
                    parseCallOffset(peek());
                    parseCallOffset(peek());
                    return new Wrapped("covariant return thunk to ", parseEncoding(false), "");
                case 'C': {
                    DemanglerNode derived = parseType();
                    parseNumber();
                    expect('_');
                    return new CtorVtable(derived, parseType());
                }
                case 'W': return new Wrapped("TLS wrapper function for ", parseName(), "");
                case 'H': return new Wrapped("TLS init function for ", parseName(), "");
                case 'A': return new Wrapped("template parameter object for ", parseTemplateArg(), "");
                default: throw Fail.INSTANCE;
            }
        }
        switch (d) {
            case 'V': return new Wrapped("guard variable for ", parseName(), "");
            case 'R': return new Wrapped("reference temporary #0 for ", parseName(), "");
            case 'A': return new Wrapped("hidden alias for ", parseEncoding(false), "");
            case 'T':
                if (peek() == 't') {
                    pos++;
                    return new Wrapped("transaction clone for ", parseEncoding(false), "");
                }
                if (peek() == 'n') {
                    pos++;
                    return new Wrapped("non-transaction clone for ", parseEncoding(false), "");
                }
                throw Fail.INSTANCE;
            default:
                throw Fail.INSTANCE;
        }
    }

    /** Thunk offsets do not show in the output, but must be consumed. */
    private void parseCallOffset(char kind) {
        if (kind != 'h' && kind != 'v') {
            throw Fail.INSTANCE;
        }
        if (peek() == kind) {
            pos++;
        }
        parseOffsetNumber();
        expect('_');
        if (kind == 'v') {
            parseOffsetNumber();
            expect('_');
        }
    }

    private void parseOffsetNumber() {
        if (peek() == 'n') {
            pos++;
        }
        parseNumber();
    }

    /** GCC's {@code .constprop.0}, {@code .isra.0}, {@code .cold}...: {@code .[a-z0-9_]+(.[0-9]+)*}, repeated. */
    private DemanglerNode parseCloneSuffixes(DemanglerNode n) {
        while (peek() == '.') {
            int start = pos;
            int i = pos + 1;
            while (i < end && isCloneChar(in.charAt(i))) {
                i++;
            }
            if (i == start + 1) {
                return n;
            }
            while (i + 1 < end && in.charAt(i) == '.' && isDigit(in.charAt(i + 1))) {
                i += 2;
                while (i < end && isDigit(in.charAt(i))) {
                    i++;
                }
            }
            n = new Wrapped("", n, " [clone " + in.substring(start, i) + "]");
            pos = i;
        }
        return n;
    }

    private static boolean isCloneChar(char c) {
        return (c >= 'a' && c <= 'z') || isDigit(c) || c == '_';
    }

    // ---------------------------------------------------------------- names

    private void nameInfo(boolean templated, boolean noReturn, String quals) {
        nameTemplated = templated;
        nameNoReturnType = noReturn;
        nameQuals = quals;
    }

    private DemanglerNode parseName() {
        enter();
        char c = peek();
        DemanglerNode n;
        if (c == 'N') {
            n = parseNestedName();
        } else if (c == 'Z') {
            n = parseLocalName();
        } else {
            boolean fromSub = false;
            boolean noReturn = false;
            if (c == 'S' && peek(1) == 't') {
                pos += 2;
                n = new QualifiedName(STD, parseUnqualifiedName());
                noReturn = unqualNoReturnType;
            } else if (c == 'S') {
                // Only an unscoped template name may be a substitution here: S_ followed by its arguments.
                n = parseSubstitution();
                fromSub = true;
                if (peek() != 'I') {
                    throw Fail.INSTANCE;
                }
            } else {
                n = parseUnqualifiedName();
                noReturn = unqualNoReturnType;
            }
            if (peek() == 'I') {
                if (!fromSub) {
                    subs.add(n);
                }
                TemplateArgs args = parseTemplateArgs();
                n = new TemplateId(n, args);
                nameInfo(true, noReturn, null);
            } else {
                nameInfo(false, noReturn, null);
            }
        }
        depth--;
        return n;
    }

    private DemanglerNode parseNestedName() {
        expect('N');
        String quals = parseCvText();
        if (peek() == 'R') {
            pos++;
            quals += " &";
        } else if (peek() == 'O') {
            pos++;
            quals += " &&";
        }
        DemanglerNode prefix = null;
        TemplateArgs lastArgs = null;
        boolean noReturn = false;
        while (true) {
            char c = peek();
            if (c == 'E') {
                pos++;
                break;
            }
            if (c == 'S') {
                if (prefix != null) {
                    throw Fail.INSTANCE;
                }
                if (peek(1) == 't') {
                    pos += 2;
                    prefix = STD;
                } else {
                    prefix = parseSubstitution();
                }
                lastArgs = null;
                noReturn = false;
                continue;
            }
            if (c == 'M' && prefix != null) {
                // Closure prefix of a lambda in a member initializer; it only marks the scope.
                pos++;
                continue;
            }
            if (c == 'I') {
                if (prefix == null || lastArgs != null) {
                    throw Fail.INSTANCE;
                }
                lastArgs = parseTemplateArgs();
                prefix = new TemplateId(prefix, lastArgs);
            } else if (c == 'T' && prefix == null) {
                prefix = parseTemplateParam();
                lastArgs = null;
            } else if (c == 'D' && (peek(1) == 't' || peek(1) == 'T') && prefix == null) {
                prefix = parseDecltype();
                lastArgs = null;
            } else {
                DemanglerNode u = parseUnqualifiedName();
                noReturn = unqualNoReturnType;
                prefix = prefix == null ? u : new QualifiedName(prefix, u);
                lastArgs = null;
            }
            if (peek() != 'E') {
                subs.add(prefix);
            }
        }
        if (prefix == null) {
            throw Fail.INSTANCE;
        }
        nameInfo(lastArgs != null, noReturn, quals.isEmpty() ? null : quals);
        return prefix;
    }

    private DemanglerNode parseLocalName() {
        expect('Z');
        DemanglerNode function = parseEncoding(false);
        expect('E');
        if (peek() == 's') {
            pos++;
            parseDiscriminator();
            nameInfo(false, false, null);
            return new LocalName(function, new Name("string literal"));
        }
        DemanglerNode defaultArg = null;
        if (peek() == 'd') {
            pos++;
            int n = parseIndexThenUnderscore();
            defaultArg = new Name("{default arg#" + (n + 1) + "}");
        }
        DemanglerNode entity = parseName();
        parseDiscriminator();
        if (defaultArg != null) {
            entity = new QualifiedName(defaultArg, entity);
        }
        return new LocalName(function, entity);
    }

    /** Discriminators tell same-named locals apart; c++filt does not show them. */
    private void parseDiscriminator() {
        if (peek() != '_') {
            return;
        }
        pos++;
        boolean twoUnderscores = peek() == '_';
        if (twoUnderscores) {
            pos++;
        }
        int n = isDigit(peek()) ? parseNumber() : 0;
        // Multi-digit discriminators are closed by '_' (_ <digit> | __ <number> _); c++filt accepts the rest.
        if (twoUnderscores && n >= 10) {
            expect('_');
        }
    }

    private DemanglerNode parseUnqualifiedName() {
        char c = peek();
        DemanglerNode n;
        boolean noReturn = false;
        if (isDigit(c)) {
            n = parseSourceName();
        } else if (c == 'L' && isDigit(peek(1))) {
            // Internal linkage; invisible in the output.
            pos++;
            n = parseSourceName();
            parseDiscriminator();
        } else if (c == 'C') {
            pos++;
            boolean inheriting = peek() == 'I';
            if (inheriting) {
                pos++;
            }
            char k = peek();
            if (k < '1' || k > '5') {
                throw Fail.INSTANCE;
            }
            pos++;
            if (inheriting) {
                parseType();
            }
            n = ctorDtor(false);
            noReturn = true;
        } else if (c == 'D' && peek(1) >= '0' && peek(1) <= '5') {
            pos += 2;
            n = ctorDtor(true);
            noReturn = true;
        } else if (c == 'U') {
            n = parseUnnamedType();
        } else if (c == 'D' && peek(1) == 'C') {
            pos += 2;
            StringBuilder sb = new StringBuilder("[");
            do {
                if (sb.length() > 1) {
                    sb.append(", ");
                }
                sb.append(((Name) parseSourceName()).text);
            } while (peek() != 'E');
            pos++;
            n = new Name(sb.append(']').toString());
        } else if (c >= 'a' && c <= 'z') {
            noReturn = c == 'c' && peek(1) == 'v';
            n = parseOperatorName();
        } else {
            throw Fail.INSTANCE;
        }
        while (peek() == 'B') {
            pos++;
            DemanglerNode keep = lastName;
            String tag = ((Name) parseSourceName()).text;
            lastName = keep;
            n = new AbiTagged(n, tag);
        }
        unqualNoReturnType = noReturn;
        return n;
    }

    private DemanglerNode ctorDtor(boolean dtor) {
        if (lastName == null) {
            throw Fail.INSTANCE;
        }
        return new CtorDtor(lastName, dtor);
    }

    private DemanglerNode parseSourceName() {
        int len = parseNumber();
        if (len == 0 || len > end - pos) {
            throw Fail.INSTANCE;
        }
        String id = in.substring(pos, pos + len);
        pos += len;
        Name n;
        if (id.length() >= 10 && id.startsWith("_GLOBAL_") && "._$".indexOf(id.charAt(8)) >= 0
                && id.charAt(9) == 'N') {
            n = new Name("(anonymous namespace)");
        } else {
            n = new Name(id);
        }
        lastName = n;
        return n;
    }

    private DemanglerNode parseUnnamedType() {
        char kind = peek(1);
        pos += 2;
        if (kind == 't') {
            int n = parseIndexThenUnderscore();
            return new Name("{unnamed type#" + (n + 1) + "}");
        }
        if (kind == 'l') {
            DemanglerNode[] params = parseParams();
            expect('E');
            int n = parseIndexThenUnderscore();
            return new Lambda(params, n + 1);
        }
        throw Fail.INSTANCE;
    }

    private DemanglerNode parseOperatorName() {
        char a = peek();
        char b = peek(1);
        if (a == 'c' && b == 'v') {
            pos += 2;
            boolean saved = inConversion;
            inConversion = true;
            DemanglerNode type = parseType();
            inConversion = saved;
            return new PrefixedName("operator ", type);
        }
        if (a == 'l' && b == 'i') {
            pos += 2;
            return new PrefixedName("operator\"\" ", parseSourceName());
        }
        if (a == 'v' && isDigit(b)) {
            pos += 2;
            return new PrefixedName("operator ", parseSourceName());
        }
        Operator op = operator(a, b);
        if (op == null) {
            throw Fail.INSTANCE;
        }
        pos += 2;
        String sym = op.symbol();
        boolean word = sym.charAt(0) >= 'a' && sym.charAt(0) <= 'z';
        return new Name(word ? "operator " + sym : "operator" + sym);
    }

    private DemanglerNode parseSubstitution() {
        expect('S');
        char c = peek();
        if (c == '_') {
            pos++;
            return sub(0);
        }
        if (isDigit(c) || (c >= 'A' && c <= 'Z')) {
            long v = 0;
            while (peek() != '_') {
                char d = peek();
                int digit;
                if (isDigit(d)) {
                    digit = d - '0';
                } else if (d >= 'A' && d <= 'Z') {
                    digit = d - 'A' + 10;
                } else {
                    throw Fail.INSTANCE;
                }
                v = v * 36 + digit;
                if (v >= subs.size()) {
                    throw Fail.INSTANCE;
                }
                pos++;
            }
            pos++;
            return sub((int) v + 1);
        }
        pos++;
        // c++filt prints the verbose expansions, and ctors of these classes take the short name.
        switch (c) {
            case 't':
                return STD;
            case 'a':
                lastName = new Name("allocator");
                return new Name("std::allocator");
            case 'b':
                lastName = new Name("basic_string");
                return new Name("std::basic_string");
            case 's':
                lastName = new Name("basic_string");
                return new Name("std::basic_string<char, std::char_traits<char>, std::allocator<char> >");
            case 'i':
                lastName = new Name("basic_istream");
                return new Name("std::basic_istream<char, std::char_traits<char> >");
            case 'o':
                lastName = new Name("basic_ostream");
                return new Name("std::basic_ostream<char, std::char_traits<char> >");
            case 'd':
                lastName = new Name("basic_iostream");
                return new Name("std::basic_iostream<char, std::char_traits<char> >");
            default:
                throw Fail.INSTANCE;
        }
    }

    private TemplateParam parseTemplateParam() {
        expect('T');
        return new TemplateParam(parseIndexThenUnderscore());
    }

    private TemplateArgs parseTemplateArgs() {
        expect('I');
        // Names inside the arguments must not become the name a following ctor repeats.
        DemanglerNode keepName = lastName;
        boolean keepConversion = inConversion;
        inConversion = false;
        ArrayList<DemanglerNode> args = new ArrayList<>(4);
        while (peek() != 'E') {
            if (atEnd()) {
                throw Fail.INSTANCE;
            }
            args.add(parseTemplateArg());
        }
        pos++;
        lastName = keepName;
        inConversion = keepConversion;
        return new TemplateArgs(args.toArray(DemanglerNode.NONE));
    }

    private DemanglerNode parseTemplateArg() {
        enter();
        DemanglerNode n;
        char c = peek();
        if (c == 'X') {
            pos++;
            n = parseExpression();
            expect('E');
        } else if (c == 'L') {
            n = parseExprPrimary();
        } else if (c == 'J') {
            pos++;
            ArrayList<DemanglerNode> elems = new ArrayList<>(4);
            while (peek() != 'E') {
                if (atEnd()) {
                    throw Fail.INSTANCE;
                }
                elems.add(parseTemplateArg());
            }
            pos++;
            n = new ArgPack(elems.toArray(DemanglerNode.NONE));
        } else {
            n = parseType();
        }
        depth--;
        return n;
    }

    // ---------------------------------------------------------------- types

    private String parseCvText() {
        boolean r = false;
        boolean v = false;
        boolean k = false;
        if (peek() == 'r') {
            r = true;
            pos++;
        }
        if (peek() == 'V') {
            v = true;
            pos++;
        }
        if (peek() == 'K') {
            k = true;
            pos++;
        }
        if (!r && !v && !k) {
            return "";
        }
        return (k ? " const" : "") + (v ? " volatile" : "") + (r ? " restrict" : "");
    }

    private DemanglerNode parseType() {
        enter();
        DemanglerNode t = parseTypeInner();
        depth--;
        return t;
    }

    private DemanglerNode parseTypeInner() {
        char c = peek();
        int builtin = c == '\0' ? -1 : BUILTIN_CODES.indexOf(c);
        if (builtin >= 0) {
            pos++;
            return BUILTINS.get(builtin);
        }
        DemanglerNode t;
        switch (c) {
            case 'u':
                pos++;
                t = parseSourceName();
                break;
            case 'r':
            case 'V':
            case 'K': {
                boolean r = peek() == 'r';
                if (r) {
                    pos++;
                }
                boolean v = peek() == 'V';
                if (v) {
                    pos++;
                }
                boolean k = peek() == 'K';
                if (k) {
                    pos++;
                }
                if (peek() == 'F' || isExceptionSpec()) {
                    // Qualifiers of a function type belong to its implicit object parameter.
                    t = parseFunctionType((k ? " const" : "") + (v ? " volatile" : "") + (r ? " restrict" : ""));
                    break;
                }
                t = parseType();
                if (k) {
                    t = new Qualifier(t, " const");
                }
                if (v) {
                    t = new Qualifier(t, " volatile");
                }
                if (r) {
                    t = new Qualifier(t, " restrict");
                }
                break;
            }
            case 'U': {
                pos++;
                String q = ((Name) parseSourceName()).text;
                if (peek() == 'I') {
                    throw Fail.INSTANCE;
                }
                t = new Modifier(parseType(), " " + q, DemanglerNode.MOD_QUAL);
                break;
            }
            case 'P':
                pos++;
                t = new Pointer(parseType());
                break;
            case 'R':
                pos++;
                t = new Reference(parseType(), false);
                break;
            case 'O':
                pos++;
                t = new Reference(parseType(), true);
                break;
            case 'C':
                pos++;
                t = new Modifier(parseType(), " _Complex", DemanglerNode.MOD_QUAL);
                break;
            case 'G':
                pos++;
                t = new Modifier(parseType(), " _Imaginary", DemanglerNode.MOD_QUAL);
                break;
            case 'F':
                t = parseFunctionType("");
                break;
            case 'A':
                t = parseArrayType();
                break;
            case 'M': {
                pos++;
                DemanglerNode cls = parseType();
                t = new MemberPointer(cls, parseType());
                break;
            }
            case 'T': {
                char d = peek(1);
                if (d == 's' || d == 'u' || d == 'e') {
                    throw Fail.INSTANCE;
                }
                t = parseTemplateParam();
                if (peek() == 'I' && !inConversion) {
                    subs.add(t);
                    t = new TemplateId(t, parseTemplateArgs());
                }
                break;
            }
            case 'S':
                if (peek(1) == 't') {
                    t = parseName();
                    break;
                }
                t = parseSubstitution();
                if (peek() != 'I') {
                    return t;
                }
                t = new TemplateId(t, parseTemplateArgs());
                break;
            case 'N':
            case 'Z':
                t = parseName();
                break;
            case 'D':
                t = parseDType();
                if (t instanceof Builtin) {
                    return t;
                }
                break;
            default:
                if (isDigit(c)) {
                    t = parseName();
                    break;
                }
                throw Fail.INSTANCE;
        }
        subs.add(t);
        return t;
    }

    private boolean isExceptionSpec() {
        if (peek() != 'D') {
            return false;
        }
        char d = peek(1);
        return d == 'x' || d == 'o' || d == 'O' || d == 'w';
    }

    private DemanglerNode parseDType() {
        char d = peek(1);
        switch (d) {
            case 'p':
                pos += 2;
                return new PackExpansion(parseType());
            case 't':
            case 'T':
                return parseDecltype();
            case 'v': {
                pos += 2;
                DemanglerNode dim;
                if (peek() == '_') {
                    pos++;
                    dim = parseExpression();
                } else {
                    dim = new Name(parseDigits());
                }
                expect('_');
                return new VectorType(parseType(), dim);
            }
            case 'F': {
                pos += 2;
                String bits = parseDigits();
                char k = peek();
                pos++;
                if (k == '_') {
                    return new Builtin("_Float" + bits, 'f');
                }
                if (k == 'x') {
                    return new Builtin("_Float" + bits + "x", 'f');
                }
                throw Fail.INSTANCE;
            }
            case 'x':
            case 'o':
            case 'O':
            case 'w':
                return parseFunctionType("");
            default: {
                Builtin b = dBuiltin(d);
                if (b == null) {
                    throw Fail.INSTANCE;
                }
                pos += 2;
                return b;
            }
        }
    }

    private DemanglerNode parseDecltype() {
        pos += 2;
        DemanglerNode e = parseExpression();
        expect('E');
        return new Expr(new String[] {"decltype (", ")"}, new DemanglerNode[] {e}, new int[] {0}, false);
    }

    private FunctionType parseFunctionType(String cv) {
        ArrayList<DemanglerNode> specs = null;
        while (isExceptionSpec()) {
            if (specs == null) {
                specs = new ArrayList<>(2);
            }
            char d = peek(1);
            pos += 2;
            switch (d) {
                case 'x':
                    specs.add(new Name(" transaction_safe"));
                    break;
                case 'o':
                    specs.add(new Name(" noexcept"));
                    break;
                case 'O': {
                    DemanglerNode e = parseExpression();
                    expect('E');
                    specs.add(new Expr(new String[] {" noexcept(", ")"}, new DemanglerNode[] {e}, new int[] {0},
                            false));
                    break;
                }
                default: {
                    ArrayList<DemanglerNode> types = new ArrayList<>(2);
                    while (peek() != 'E') {
                        if (atEnd()) {
                            throw Fail.INSTANCE;
                        }
                        types.add(parseType());
                    }
                    pos++;
                    specs.add(new Expr(new String[] {" throw(", ")"},
                            new DemanglerNode[] {new ArgPack(types.toArray(DemanglerNode.NONE))}, new int[] {2},
                            false));
                    break;
                }
            }
        }
        expect('F');
        if (peek() == 'Y') {
            pos++;
        }
        DemanglerNode ret = parseType();
        ArrayList<DemanglerNode> params = new ArrayList<>(4);
        String ref = "";
        while (true) {
            char c = peek();
            if (c == 'E') {
                pos++;
                break;
            }
            if ((c == 'R' || c == 'O') && peek(1) == 'E') {
                ref = c == 'R' ? " &" : " &&";
                pos += 2;
                break;
            }
            if (atEnd()) {
                throw Fail.INSTANCE;
            }
            params.add(parseType());
        }
        DemanglerNode[] ps = params.size() == 1 && params.get(0) == VOID
                ? DemanglerNode.NONE : params.toArray(DemanglerNode.NONE);
        return new FunctionType(ret, ps, specs == null ? DemanglerNode.NONE : specs.toArray(DemanglerNode.NONE),
                cv + ref);
    }

    private DemanglerNode parseArrayType() {
        expect('A');
        DemanglerNode dim = null;
        if (isDigit(peek())) {
            dim = new Name(parseDigits());
        } else if (peek() != '_') {
            dim = parseExpression();
        }
        expect('_');
        return new ArrayType(parseType(), dim);
    }

    // ---------------------------------------------------------------- expressions

    private DemanglerNode parseExprPrimary() {
        expect('L');
        if (peek() == '_' && peek(1) == 'Z') {
            pos += 2;
            DemanglerNode e = parseEncoding(false);
            expect('E');
            return e;
        }
        DemanglerNode type = parseType();
        boolean negative = peek() == 'n';
        if (negative) {
            pos++;
        }
        int start = pos;
        while (pos < end && in.charAt(pos) != 'E') {
            char c = in.charAt(pos);
            if (!Character.isLetterOrDigit(c) && c != '_' && c != '.') {
                throw Fail.INSTANCE;
            }
            pos++;
        }
        String value = in.substring(start, pos);
        expect('E');
        return new Literal(type, negative, value);
    }

    private DemanglerNode[] parseExprsUntilE() {
        ArrayList<DemanglerNode> list = new ArrayList<>(4);
        while (peek() != 'E') {
            if (atEnd()) {
                throw Fail.INSTANCE;
            }
            list.add(parseExpression());
        }
        pos++;
        return list.toArray(DemanglerNode.NONE);
    }

    private static Expr expr(String[] texts, DemanglerNode[] operands, int[] styles) {
        return new Expr(texts, operands, styles, false);
    }

    private static Expr unary(String before, DemanglerNode e, String after) {
        return expr(new String[] {before, after}, new DemanglerNode[] {e}, new int[] {1});
    }

    private static Expr binary(String op, DemanglerNode a, DemanglerNode b) {
        // c++filt wraps '>' so that it cannot close a template argument list.
        boolean gt = op.equals(">");
        return expr(new String[] {gt ? "(" : "", op, gt ? ")" : ""}, new DemanglerNode[] {a, b}, new int[] {1, 1});
    }

    private DemanglerNode parseExpression() {
        enter();
        DemanglerNode e = parseExpressionInner();
        depth--;
        return e;
    }

    private DemanglerNode parseExpressionInner() {
        char a = peek();
        char b = peek(1);
        if (a == 'L') {
            return parseExprPrimary();
        }
        if (a == 'T') {
            return parseTemplateParam();
        }
        if (a == 'f' && b == 'p') {
            pos += 2;
            parseCvText();
            if (peek() == 'T') {
                pos++;
                return new Name("this");
            }
            return new Name("{parm#" + (parseIndexThenUnderscore() + 1) + "}");
        }
        if (isDigit(a) || (a == 'o' && b == 'n') || (a == 'd' && b == 'n')) {
            return parseBaseUnresolvedName();
        }
        boolean global = false;
        if (a == 'g' && b == 's') {
            global = true;
            pos += 2;
            a = peek();
            b = peek(1);
        }
        String colons = global ? "::" : "";
        if (a == 's' && b == 'r') {
            pos += 2;
            DemanglerNode n = parseUnresolvedQualified();
            return global ? new PrefixedName("::", n) : n;
        }
        if (a == 'n' && (b == 'w' || b == 'a')) {
            pos += 2;
            DemanglerNode[] placement;
            ArrayList<DemanglerNode> list = new ArrayList<>(2);
            while (peek() != '_') {
                if (atEnd()) {
                    throw Fail.INSTANCE;
                }
                list.add(parseExpression());
            }
            pos++;
            placement = list.toArray(DemanglerNode.NONE);
            DemanglerNode type = parseType();
            DemanglerNode[] init = null;
            if (peek() == 'p' && peek(1) == 'i') {
                pos += 2;
                init = parseExprsUntilE();
            } else {
                expect('E');
            }
            String head = colons + (b == 'w' ? "new" : "new[]");
            ArrayList<String> texts = new ArrayList<>(4);
            ArrayList<DemanglerNode> ops = new ArrayList<>(3);
            ArrayList<Integer> styles = new ArrayList<>(3);
            if (placement.length > 0) {
                texts.add(head + " (");
                ops.add(new ArgPack(placement));
                styles.add(2);
                texts.add(") ");
            } else {
                texts.add(head + " ");
            }
            ops.add(type);
            styles.add(0);
            if (init != null) {
                texts.add("(");
                ops.add(new ArgPack(init));
                styles.add(2);
                texts.add(")");
            } else {
                texts.add("");
            }
            int[] st = new int[styles.size()];
            for (int i = 0; i < st.length; i++) {
                st[i] = styles.get(i);
            }
            return expr(texts.toArray(new String[0]), ops.toArray(DemanglerNode.NONE), st);
        }
        if (a == 'd' && (b == 'l' || b == 'a')) {
            pos += 2;
            return unary(colons + (b == 'l' ? "delete " : "delete[] "), parseExpression(), "");
        }
        if (global) {
            throw Fail.INSTANCE;
        }
        String code = "" + a + b;
        switch (code) {
            case "cl": {
                pos += 2;
                DemanglerNode fn = parseExpression();
                if (fn instanceof FunctionEncoding) {
                    // A callee given as a mangled function prints as its bare name.
                    fn = ((FunctionEncoding) fn).name;
                }
                DemanglerNode args = new ArgPack(parseExprsUntilE());
                return expr(new String[] {"", "(", ")"}, new DemanglerNode[] {fn, args}, new int[] {1, 2});
            }
            case "cv": {
                pos += 2;
                DemanglerNode type = parseType();
                if (peek() == '_') {
                    pos++;
                    DemanglerNode args = new ArgPack(parseExprsUntilE());
                    return expr(new String[] {"(", ")(", ")"}, new DemanglerNode[] {type, args}, new int[] {0, 2});
                }
                DemanglerNode e = parseExpression();
                return expr(new String[] {"(", ")", ""}, new DemanglerNode[] {type, e}, new int[] {0, 1});
            }
            case "tl": {
                pos += 2;
                DemanglerNode type = parseType();
                DemanglerNode args = new ArgPack(parseExprsUntilE());
                return expr(new String[] {"", "{", "}"}, new DemanglerNode[] {type, args}, new int[] {0, 2});
            }
            case "il": {
                pos += 2;
                DemanglerNode args = new ArgPack(parseExprsUntilE());
                return new Expr(new String[] {"{", "}"}, new DemanglerNode[] {args}, new int[] {2}, true);
            }
            case "st":
                pos += 2;
                return expr(new String[] {"sizeof (", ")"}, new DemanglerNode[] {parseType()}, new int[] {0});
            case "at":
                pos += 2;
                return unary("alignof ", parseType(), "");
            case "sz":
                pos += 2;
                return unary("sizeof ", parseExpression(), "");
            case "az":
                pos += 2;
                return unary("alignof ", parseExpression(), "");
            case "sp":
                pos += 2;
                return new PackExpansion(parseExpression());
            case "sZ": {
                pos += 2;
                if (peek() == 'T') {
                    return new DemanglerNode.PackSize(parseTemplateParam());
                }
                return expr(new String[] {"sizeof...(", ")"}, new DemanglerNode[] {parseExpression()}, new int[] {0});
            }
            case "tw":
                pos += 2;
                return unary("throw ", parseExpression(), "");
            case "tr":
                pos += 2;
                return new Name("throw");
            case "dc":
            case "sc":
            case "cc":
            case "rc": {
                pos += 2;
                String kw = a == 'd' ? "dynamic_cast" : a == 's' ? "static_cast" : a == 'c' ? "const_cast"
                        : "reinterpret_cast";
                DemanglerNode type = parseType();
                DemanglerNode e = parseExpression();
                return expr(new String[] {kw + "<", ">(", ")"}, new DemanglerNode[] {type, e}, new int[] {0, 0});
            }
            case "dt":
            case "pt": {
                pos += 2;
                DemanglerNode obj = parseExpression();
                DemanglerNode member = parseBaseUnresolvedName();
                return expr(new String[] {"", a == 'd' ? "." : "->", ""}, new DemanglerNode[] {obj, member},
                        new int[] {1, 0});
            }
            case "pp":
            case "mm": {
                pos += 2;
                String op = a == 'p' ? "++" : "--";
                if (peek() == '_') {
                    pos++;
                    return unary(op, parseExpression(), "");
                }
                return unary("", parseExpression(), op);
            }
            case "qu": {
                pos += 2;
                DemanglerNode x = parseExpression();
                DemanglerNode y = parseExpression();
                DemanglerNode z = parseExpression();
                return expr(new String[] {"", "?", " : ", ""}, new DemanglerNode[] {x, y, z}, new int[] {1, 1, 1});
            }
            case "ix": {
                pos += 2;
                DemanglerNode x = parseExpression();
                DemanglerNode y = parseExpression();
                return expr(new String[] {"", "[", "]"}, new DemanglerNode[] {x, y}, new int[] {1, 0});
            }
            default:
                break;
        }
        Operator op = operator(a, b);
        if (op == null) {
            throw Fail.INSTANCE;
        }
        pos += 2;
        if (op.arity() == 1) {
            DemanglerNode e = parseExpression();
            if (op.symbol().equals("&") && e instanceof FunctionEncoding) {
                // &Class::method is a pointer to member: c++filt shows the bare name, not the signature.
                FunctionEncoding f = (FunctionEncoding) e;
                if (f.quals == null && f.name instanceof QualifiedName) {
                    e = f.name;
                }
            }
            return unary(op.symbol(), e, "");
        }
        if (op.arity() == 2) {
            DemanglerNode x = parseExpression();
            return binary(op.symbol(), x, parseExpression());
        }
        throw Fail.INSTANCE;
    }

    /**
     * What follows {@code sr}. The ABI form is {@code <qualifier>+ E <name>}, but old GCCs wrote
     * {@code <type> <name>} with no {@code E}; the two cannot be told apart up front, so the ABI
     * form is tried first and the old one on failure.
     */
    private DemanglerNode parseUnresolvedQualified() {
        if (peek() == 'N') {
            // srN <type> <qualifier>* E: the same shape, and the same substitutions, as a nested type name.
            return qualifiedBase(parseType());
        }
        if (isDigit(peek())) {
            int savedPos = pos;
            int savedSubs = subs.size();
            int savedDepth = depth;
            DemanglerNode savedLast = lastName;
            try {
                DemanglerNode q = parseSimpleId();
                while (peek() != 'E') {
                    q = new QualifiedName(q, parseSimpleId());
                }
                pos++;
                return qualifiedBase(q);
            } catch (Fail f) {
                // Nested retries could multiply; a handful is all real symbols ever need.
                if (++retries > MAX_RETRIES) {
                    throw f;
                }
                pos = savedPos;
                while (subs.size() > savedSubs) {
                    subs.remove(subs.size() - 1);
                }
                depth = savedDepth;
                lastName = savedLast;
            }
        }
        DemanglerNode q = parseType();
        return qualifiedBase(q);
    }

    private DemanglerNode parseSimpleId() {
        DemanglerNode n = parseSourceName();
        if (peek() == 'I') {
            n = new TemplateId(n, parseTemplateArgs());
        }
        return n;
    }

    /** {@code scope::name<args>}: c++filt treats the arguments as applying to the whole qualified name. */
    private DemanglerNode qualifiedBase(DemanglerNode q) {
        DemanglerNode n = parseBaseUnresolvedName();
        if (n instanceof TemplateId) {
            TemplateId t = (TemplateId) n;
            return new TemplateId(new QualifiedName(q, t.name), t.args);
        }
        return new QualifiedName(q, n);
    }

    /** A name used in an expression: identifier, {@code on} operator or {@code dn} destructor, maybe with args. */
    private DemanglerNode parseBaseUnresolvedName() {
        DemanglerNode n;
        if (peek() == 'o' && peek(1) == 'n') {
            pos += 2;
            n = parseOperatorName();
        } else if (peek() == 'd' && peek(1) == 'n') {
            // Destructor names in expressions: c++filt 2.40 rejects them, so do we.
            throw Fail.INSTANCE;
        } else {
            n = parseUnqualifiedName();
        }
        if (peek() == 'I') {
            n = new TemplateId(n, parseTemplateArgs());
        }
        return n;
    }
}
