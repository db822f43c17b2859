package dev.jjf.symbols;

import dev.jjf.symbols.DemanglerPrinter.Mod;
import java.util.ArrayList;

/** A piece of a demangled name; the parser builds a tree (a DAG, through substitutions) of these. */
abstract class DemanglerNode {
    /** Not a declarator modifier. */
    static final int MOD_NONE = 0;
    /** Pointers and references: force parentheses around a function or array declarator. */
    static final int MOD_PTR = 1;
    /** Qualifier-like modifiers: force parentheses and a space before them. */
    static final int MOD_QUAL = 2;
    /** Member-function qualifiers: printed after the parameter list. */
    static final int MOD_SUFFIX = 3;

    static final DemanglerNode[] NONE = new DemanglerNode[0];

    abstract void print(DemanglerPrinter p);

    int modKind() {
        return MOD_NONE;
    }

    /** How the node prints when it sits on the modifier stack and its turn comes. */
    void printAsModifier(DemanglerPrinter p) {
        p.print(this);
    }

    /** Operands that are plain names print without parentheses inside expressions. */
    boolean simpleExpr() {
        return false;
    }

    /** Prints an expression operand, parenthesised unless trivially unambiguous. */
    static void sub(DemanglerPrinter p, DemanglerNode n) {
        if (n.simpleExpr()) {
            p.printClean(n);
        } else {
            p.append('(');
            p.printClean(n);
            p.append(')');
        }
    }

    // ---------------------------------------------------------------- names

    static class Name extends DemanglerNode {
        final String text;

        Name(String text) {
            this.text = text;
        }

        @Override
        void print(DemanglerPrinter p) {
            p.append(text);
        }

        @Override
        boolean simpleExpr() {
            return true;
        }
    }

    /** A builtin type; {@code kind} selects how literals of the type are written. */
    static final class Builtin extends Name {
        final char kind;

        Builtin(String text, char kind) {
            super(text);
            this.kind = kind;
        }

        @Override
        boolean simpleExpr() {
            return false;
        }
    }

    static final class QualifiedName extends DemanglerNode {
        final DemanglerNode scope;
        final DemanglerNode name;

        QualifiedName(DemanglerNode scope, DemanglerNode name) {
            this.scope = scope;
            this.name = name;
        }

        @Override
        void print(DemanglerPrinter p) {
            p.printClean(scope);
            p.append("::");
            p.printClean(name);
        }

        @Override
        boolean simpleExpr() {
            return true;
        }
    }

    static final class TemplateArgs extends DemanglerNode {
        final DemanglerNode[] args;

        TemplateArgs(DemanglerNode[] args) {
            this.args = args;
        }

        @Override
        void print(DemanglerPrinter p) {
            if (p.last() == '<') {
                p.append(' ');
            }
            p.append('<');
            p.printList(args);
            if (p.last() == '>') {
                p.append(' ');
            }
            p.append('>');
        }
    }

    static final class TemplateId extends DemanglerNode {
        final DemanglerNode name;
        final TemplateArgs args;

        TemplateId(DemanglerNode name, TemplateArgs args) {
            this.name = name;
            this.args = args;
        }

        @Override
        void print(DemanglerPrinter p) {
            p.printClean(name);
            p.printClean(args);
        }
    }

    /** A template argument pack ({@code J...E}); expands in place inside argument lists. */
    static final class ArgPack extends DemanglerNode {
        final DemanglerNode[] elems;

        ArgPack(DemanglerNode[] elems) {
            this.elems = elems;
        }

        @Override
        void print(DemanglerPrinter p) {
            p.printList(elems);
        }
    }

    static final class AbiTagged extends DemanglerNode {
        final DemanglerNode name;
        final String tag;

        AbiTagged(DemanglerNode name, String tag) {
            this.name = name;
            this.tag = tag;
        }

        @Override
        void print(DemanglerPrinter p) {
            p.printClean(name);
            p.append("[abi:").append(tag).append(']');
        }
    }

    static final class CtorDtor extends DemanglerNode {
        final DemanglerNode name;
        final boolean dtor;

        CtorDtor(DemanglerNode name, boolean dtor) {
            this.name = name;
            this.dtor = dtor;
        }

        @Override
        void print(DemanglerPrinter p) {
            if (dtor) {
                p.append('~');
            }
            p.printClean(name);
        }
    }

    /** {@code operator int}, {@code operator""_x}: a keyword prefix followed by a node. */
    static final class PrefixedName extends DemanglerNode {
        final String prefix;
        final DemanglerNode name;

        PrefixedName(String prefix, DemanglerNode name) {
            this.prefix = prefix;
            this.name = name;
        }

        @Override
        void print(DemanglerPrinter p) {
            p.append(prefix);
            p.printClean(name);
        }
    }

    static final class LocalName extends DemanglerNode {
        final DemanglerNode function;
        final DemanglerNode entity;

        LocalName(DemanglerNode function, DemanglerNode entity) {
            this.function = function;
            this.entity = entity;
        }

        @Override
        void print(DemanglerPrinter p) {
            // c++filt leaves out the return type of the enclosing function.
            if (function instanceof FunctionEncoding) {
                Mod saved = p.mods;
                p.mods = null;
                ((FunctionEncoding) function).print(p, true);
                p.mods = saved;
            } else {
                p.printClean(function);
            }
            p.append("::");
            p.printClean(entity);
        }
    }

    static final class Lambda extends DemanglerNode {
        final DemanglerNode[] params;
        final int number;

        Lambda(DemanglerNode[] params, int number) {
            this.params = params;
            this.number = number;
        }

        @Override
        void print(DemanglerPrinter p) {
            p.append("{lambda(");
            boolean saved = p.inLambdaSig;
            p.inLambdaSig = true;
            p.printList(params);
            p.inLambdaSig = saved;
            p.append(")#").append(Integer.toString(number)).append('}');
        }
    }

    /** Special names ({@code vtable for X}) and suffixes ({@code [clone .cold]}) around a name. */
    static final class Wrapped extends DemanglerNode {
        final String prefix;
        final DemanglerNode inner;
        final String suffix;

        Wrapped(String prefix, DemanglerNode inner, String suffix) {
            this.prefix = prefix;
            this.inner = inner;
            this.suffix = suffix;
        }

        @Override
        void print(DemanglerPrinter p) {
            p.append(prefix);
            p.printClean(inner);
            p.append(suffix);
        }
    }

    static final class CtorVtable extends DemanglerNode {
        final DemanglerNode derived;
        final DemanglerNode base;

        CtorVtable(DemanglerNode derived, DemanglerNode base) {
            this.derived = derived;
            this.base = base;
        }

        @Override
        void print(DemanglerPrinter p) {
            p.append("construction vtable for ");
            p.printClean(base);
            p.append("-in-");
            p.printClean(derived);
        }
    }

    /** A function: the name rides the modifier stack so a complex return type can wrap around it. */
    static final class FunctionEncoding extends DemanglerNode {
        final DemanglerNode name;
        final FunctionType type;
        final ThisQuals quals;

        FunctionEncoding(DemanglerNode name, FunctionType type, ThisQuals quals) {
            this.name = name;
            this.type = type;
            this.quals = quals;
        }

        @Override
        void print(DemanglerPrinter p) {
            print(p, false);
        }

        void print(DemanglerPrinter p, boolean dropReturnType) {
            Mod saved = p.mods;
            if (quals != null) {
                p.push(quals);
            }
            p.push(name);
            FunctionType t = type;
            if (dropReturnType && t.ret != null) {
                t = new FunctionType(null, t.params, t.specs, t.quals);
            }
            DemanglerNode[] savedArgs = p.templateArgs;
            DemanglerNode n = name instanceof LocalName ? ((LocalName) name).entity : name;
            if (n instanceof TemplateId) {
                p.templateArgs = ((TemplateId) n).args.args;
            }
            p.print(t);
            p.templateArgs = savedArgs;
            p.mods = saved;
        }
    }

    /** cv- and ref-qualifiers of a member function, from its nested name. */
    static final class ThisQuals extends DemanglerNode {
        final String text;

        ThisQuals(String text) {
            this.text = text;
        }

        @Override
        void print(DemanglerPrinter p) {
            p.append(text);
        }

        @Override
        int modKind() {
            return MOD_SUFFIX;
        }
    }

    // ---------------------------------------------------------------- types

    /** Pointer, reference, cv-qualifier and the like: pushed, inner printed, then printed if still pending. */
    static class Modifier extends DemanglerNode {
        final DemanglerNode inner;
        final String text;
        final int kind;

        Modifier(DemanglerNode inner, String text, int kind) {
            this.inner = inner;
            this.text = text;
            this.kind = kind;
        }

        @Override
        void print(DemanglerPrinter p) {
            printAround(p, inner);
        }

        final void printAround(DemanglerPrinter p, DemanglerNode in) {
            Mod m = p.push(this);
            p.print(in);
            p.mods = m.next;
            if (!m.printed) {
                p.printModifier(this);
            }
        }

        @Override
        void printAsModifier(DemanglerPrinter p) {
            p.append(text);
        }

        @Override
        int modKind() {
            return kind;
        }
    }

    static final class Pointer extends Modifier {
        Pointer(DemanglerNode inner) {
            super(inner, "*", MOD_PTR);
        }
    }

    /** A plain cv-qualifier; kept apart from other modifiers because arrays move them to their element. */
    static final class Qualifier extends Modifier {
        Qualifier(DemanglerNode inner, String text) {
            super(inner, text, MOD_QUAL);
        }

        @Override
        void print(DemanglerPrinter p) {
            // const applied to a template argument that is already const prints once.
            for (Mod m = p.mods; m != null; m = m.next) {
                if (m.printed) {
                    continue;
                }
                if (!(m.node instanceof Qualifier)) {
                    break;
                }
                if (((Qualifier) m.node).text.equals(text)) {
                    p.print(inner);
                    return;
                }
            }
            printAround(p, inner);
        }
    }

    static final class Reference extends Modifier {
        final boolean rvalue;

        Reference(DemanglerNode inner, boolean rvalue) {
            super(inner, rvalue ? "&&" : "&", MOD_PTR);
            this.rvalue = rvalue;
        }

        @Override
        void print(DemanglerPrinter p) {
            // Sizing a pack expansion looks at the current template only, pin or not.
            if (!(inner instanceof TemplateParam) || p.inLambdaSig || p.probing) {
                printAround(p, inner);
                return;
            }
            // c++filt pins a referenced template parameter to the template it was first printed in,
            // and uses that template again wherever a substitution brings the parameter back.
            TemplateParam param = (TemplateParam) inner;
            DemanglerNode[] current = p.templateArgs;
            DemanglerNode[] pinned = p.pinnedArgs(param);
            if (pinned == null) {
                p.pinArgs(param, current);
            } else {
                p.templateArgs = pinned;
            }
            // Reference collapsing when the argument is itself a reference: & & -> &, && & -> &.
            DemanglerNode target = param.resolve(p);
            if (target instanceof Reference) {
                Reference r = (Reference) target;
                if (!r.rvalue || r.rvalue == rvalue) {
                    p.print(r);
                } else {
                    printAround(p, r.inner);
                }
            } else {
                printAround(p, inner);
            }
            p.templateArgs = current;
        }
    }

    static final class MemberPointer extends Modifier {
        final DemanglerNode cls;

        MemberPointer(DemanglerNode cls, DemanglerNode member) {
            super(member, null, MOD_QUAL);
            this.cls = cls;
        }

        @Override
        void printAsModifier(DemanglerPrinter p) {
            if (p.last() != '(') {
                p.append(' ');
            }
            p.printClean(cls);
            p.append("::*");
        }
    }

    static final class FunctionType extends DemanglerNode {
        final DemanglerNode ret;
        final DemanglerNode[] params;
        /** Exception specifications, each printing with a leading space. */
        final DemanglerNode[] specs;
        /** cv- and ref-qualifiers, already spelled out with leading spaces. */
        final String quals;

        FunctionType(DemanglerNode ret, DemanglerNode[] params, DemanglerNode[] specs, String quals) {
            this.ret = ret;
            this.params = params;
            this.specs = specs;
            this.quals = quals;
        }

        @Override
        void print(DemanglerPrinter p) {
            if (ret != null) {
                Mod m = p.push(this);
                p.print(ret);
                p.mods = m.next;
                if (m.printed) {
                    return;
                }
                p.append(' ');
            }
            p.functionTail(this, p.mods);
        }

        void printQualifiers(DemanglerPrinter p) {
            for (DemanglerNode spec : specs) {
                p.printClean(spec);
            }
            p.append(quals);
        }
    }

    static final class ArrayType extends DemanglerNode {
        final DemanglerNode elem;
        final DemanglerNode dim;

        ArrayType(DemanglerNode elem, DemanglerNode dim) {
            this.elem = elem;
            this.dim = dim;
        }

        @Override
        void print(DemanglerPrinter p) {
            Mod am = p.push(this);
            // Qualifiers on an array qualify its elements, so they print next to the element type.
            ArrayList<Mod> hoisted = null;
            for (Mod q = am.next; q != null && q.node instanceof Qualifier; q = q.next) {
                if (!q.printed) {
                    q.printed = true;
                    if (hoisted == null) {
                        hoisted = new ArrayList<>(2);
                    }
                    hoisted.add(p.push(q.node));
                }
            }
            p.print(elem);
            p.mods = am.next;
            if (am.printed) {
                return;
            }
            for (int i = hoisted == null ? -1 : hoisted.size() - 1; i >= 0; i--) {
                if (!hoisted.get(i).printed) {
                    p.printModifier(hoisted.get(i).node);
                }
            }
            p.arrayTail(this, p.mods);
        }
    }

    static final class VectorType extends DemanglerNode {
        final DemanglerNode elem;
        final DemanglerNode dim;

        VectorType(DemanglerNode elem, DemanglerNode dim) {
            this.elem = elem;
            this.dim = dim;
        }

        @Override
        void print(DemanglerPrinter p) {
            p.print(elem);
            p.append(" __vector(");
            p.printClean(dim);
            p.append(')');
        }
    }

    /**
     * {@code T_}: resolved when printed, against the template function being printed at that
     * moment. That is how c++filt does it, and it differs from binding at parse time when a
     * substitution carries a parameter out of a local name's enclosing function.
     */
    static final class TemplateParam extends DemanglerNode {
        final int index;

        TemplateParam(int index) {
            this.index = index;
        }

        /** The argument this parameter stands for, or null while probing a pack. */
        DemanglerNode resolve(DemanglerPrinter p) {
            DemanglerNode[] args = p.templateArgs;
            if (args == null || index >= args.length) {
                throw DemanglerParser.Fail.INSTANCE;
            }
            DemanglerNode a = args[index];
            if (a instanceof ArgPack) {
                DemanglerNode[] elems = ((ArgPack) a).elems;
                if (p.probing) {
                    if (p.probedPackSize < 0) {
                        p.probedPackSize = elems.length;
                    }
                    return null;
                }
                if (p.packIndex >= elems.length) {
                    throw DemanglerParser.Fail.INSTANCE;
                }
                a = elems[p.packIndex];
            }
            return a;
        }

        @Override
        void print(DemanglerPrinter p) {
            if (p.inLambdaSig) {
                p.append("auto:").append(Integer.toString(index + 1));
                return;
            }
            DemanglerNode a = resolve(p);
            if (a != null) {
                p.print(a);
            }
        }
    }

    static final class PackExpansion extends DemanglerNode {
        final DemanglerNode child;

        PackExpansion(DemanglerNode child) {
            this.child = child;
        }

        @Override
        void print(DemanglerPrinter p) {
            // Print once into the void to learn how long the pack inside is.
            int mark = p.length();
            char savedLast = p.last();
            Mod savedMods = p.mods;
            boolean savedProbing = p.probing;
            int savedSize = p.probedPackSize;
            p.mods = null;
            p.probing = true;
            p.probedPackSize = -1;
            p.print(child);
            int size = p.probedPackSize;
            p.truncate(mark);
            p.setLast(savedLast);
            p.probing = savedProbing;
            p.probedPackSize = savedSize;
            p.mods = savedMods;
            if (size < 0) {
                sub(p, child);
                p.append("...");
                return;
            }
            int savedIndex = p.packIndex;
            for (int i = 0; i < size; i++) {
                if (i > 0) {
                    p.append(", ");
                }
                p.packIndex = i;
                p.print(child);
            }
            p.packIndex = savedIndex;
        }
    }

    // ---------------------------------------------------------------- expressions

    /** {@code sizeof...(T)}: c++filt prints the length of the pack instead. */
    static final class PackSize extends DemanglerNode {
        final TemplateParam param;

        PackSize(TemplateParam param) {
            this.param = param;
        }

        @Override
        void print(DemanglerPrinter p) {
            DemanglerNode[] args = p.templateArgs;
            if (args == null || param.index >= args.length) {
                throw DemanglerParser.Fail.INSTANCE;
            }
            DemanglerNode a = args[param.index];
            p.append(Integer.toString(a instanceof ArgPack ? ((ArgPack) a).elems.length : 0));
        }
    }

    static final class Literal extends DemanglerNode {
        final DemanglerNode type;
        final boolean negative;
        final String value;

        Literal(DemanglerNode type, boolean negative, String value) {
            this.type = type;
            this.negative = negative;
            this.value = value;
        }

        @Override
        void print(DemanglerPrinter p) {
            if (value.isEmpty()) {
                p.printClean(type);
                return;
            }
            char kind = type instanceof Builtin ? ((Builtin) type).kind : '?';
            String suffix = null;
            switch (kind) {
                case 'i': suffix = ""; break;
                case 'j': suffix = "u"; break;
                case 'l': suffix = "l"; break;
                case 'm': suffix = "ul"; break;
                case 'x': suffix = "ll"; break;
                case 'y': suffix = "ull"; break;
                case 'b':
                    if (!negative && (value.equals("0") || value.equals("1"))) {
                        p.append(value.equals("0") ? "false" : "true");
                        return;
                    }
                    break;
                case 'f':
                    p.append('(');
                    p.printClean(type);
                    p.append(")[").append(negative ? "-" : "").append(value).append(']');
                    return;
                default:
                    break;
            }
            if (suffix != null) {
                if (negative) {
                    p.append('-');
                }
                p.append(value).append(suffix);
                return;
            }
            p.append('(');
            p.printClean(type);
            p.append(')');
            if (negative) {
                p.append('-');
            }
            p.append(value);
        }
    }

    /** Fixed text before and after at most three operands; covers most expression shapes. */
    static final class Expr extends DemanglerNode {
        final String[] texts;
        final DemanglerNode[] operands;
        /** Per operand: 0 = as is, 1 = parenthesised unless simple, 2 = comma separated list (an ArgPack). */
        final int[] styles;
        final boolean simple;

        Expr(String[] texts, DemanglerNode[] operands, int[] styles, boolean simple) {
            this.texts = texts;
            this.operands = operands;
            this.styles = styles;
            this.simple = simple;
        }

        @Override
        void print(DemanglerPrinter p) {
            p.append(texts[0]);
            for (int i = 0; i < operands.length; i++) {
                switch (styles[i]) {
                    case 1: sub(p, operands[i]); break;
                    case 2: p.printList(((ArgPack) operands[i]).elems); break;
                    default: p.printClean(operands[i]); break;
                }
                p.append(texts[i + 1]);
            }
        }

        @Override
        boolean simpleExpr() {
            return simple;
        }
    }
}
