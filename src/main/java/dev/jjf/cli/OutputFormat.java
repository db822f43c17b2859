package dev.jjf.cli;

/** What render writes. */
enum OutputFormat {
    svg, folded, json, pprof, text;

    /** The file name's extension. */
    String extension() {
        return switch (this) {
            case pprof -> "pb.gz";
            case text -> "txt";
            default -> name();
        };
    }

    String defaultFileName() {
        return "flames." + extension();
    }
}
