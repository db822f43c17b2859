package dev.jjf.cli;

/** What render writes; the name is also the default file's extension. */
enum OutputFormat {
    svg, folded, json, pprof, text;

    String defaultFileName() {
        return switch (this) {
            case pprof -> "profile.pb.gz";
            default -> "flames." + name();
        };
    }
}
