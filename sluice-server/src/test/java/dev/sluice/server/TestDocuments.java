package dev.sluice.server;

/** Helpers for the YAML documents tests apply. */
public final class TestDocuments {
    private TestDocuments() {}

    /**
     * A small pipeline (datagen into blackhole) applied suspended, so that no job starts; {@code extra} adds spec
     * fields. Its parallelism field, when given, is line 11.
     */
    public static String suspendedPipeline(String name, String extra) {
        return """
                apiVersion: sluice.dev/v1
                kind: Pipeline
                metadata:
                  name: %s
                spec:
                  state: suspended
                  sql: |
                    CREATE TABLE s (n BIGINT) WITH ('connector' = 'datagen');
                    CREATE TABLE t (n BIGINT) WITH ('connector' = 'blackhole');
                    INSERT INTO t SELECT n FROM s;
                %s""".formatted(name, extra.indent(2));
    }

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
