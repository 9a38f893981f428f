package dev.sluice.server;

/** Helpers for the YAML documents tests apply. */
public final class TestDocuments {
    private TestDocuments() {}

    /** The 1-based line of the first line of {@code yaml} that contains {@code text}. */
    public static String line(String yaml, String text) {
        String[] lines = yaml.split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains(text)) {
                return Integer.toString(i + 1);
            }
        }
        throw new AssertionError("no line contains " + text);
    }
}
