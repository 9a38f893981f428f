package dev.sluice.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the CLI in-process and captures its exit code, stdout and stderr. */
final class Runs {
    /** What one run left behind. */
    record Result(int code, String out, String err) {}

    private Runs() {}

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SluiceCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static String deployment(String name, String phase) {
        return deployment(name, phase, null, null);
    }

    static String deployment(String name, String phase, String error, String lastTransitionAt) {
        return """
                {"apiVersion":"sluice.dev/v1","kind":"Deployment",
                 "metadata":{"name":"%s","namespace":"default","createdAt":"2025-01-01T00:00:00Z","extra":1},
                 "spec":{"sql":"INSERT INTO a SELECT * FROM b;","parallelism":2,"state":"running","target":"embedded"},
                 "status":{"phase":"%s","version":3,"jobId":"a1b2c3"%s%s,"recordsIn":10,"recordsOut":7,"newField":true}}
                """.formatted(name, phase,
                error == null ? "" : ",\"error\":\"" + error + "\"",
                lastTransitionAt == null ? "" : ",\"lastTransitionAt\":\"" + lastTransitionAt + "\"");
    }
}
