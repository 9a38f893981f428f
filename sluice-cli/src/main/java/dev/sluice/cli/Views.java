package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;

/** The table columns of each resource kind, shared by {@code get} and {@code describe}. */
final class Views {
    private Views() {}

    static Table deployments(Iterable<JsonNode> items) {
        Table table = new Table("NAMESPACE", "NAME", "PHASE", "VERSION", "JOB-ID", "AGE");
        for (JsonNode d : items) {
            JsonNode meta = d.path("metadata");
            JsonNode status = d.path("status");
            table.add(meta.path("namespace"), meta.path("name"), status.path("phase"), status.path("version"),
                    status.path("jobId"), Output.age(meta.path("createdAt")));
        }
        return table;
    }

    static Table versions(Iterable<JsonNode> items) {
        Table table = new Table("VERSION", "PROGRAM", "PARALLELISM", "SPEC-STATE", "UPGRADE", "TARGET", "AGE");
        for (JsonNode v : items) {
            JsonNode spec = v.path("spec");
            table.add(v.path("version"), program(spec), spec.path("parallelism"), spec.path("state"),
                    spec.path("upgradeStrategy"), spec.path("target"), Output.age(v.path("createdAt")));
        }
        return table;
    }

    static Table snapshots(Iterable<JsonNode> items) {
        Table table = new Table("ID", "DEPLOYMENT", "VERSION", "ORIGIN", "STATE", "SIZE", "AGE", "LOCATION");
        for (JsonNode s : items) {
            table.add(s.path("id"), s.path("deployment"), s.path("version"), s.path("origin"), s.path("state"),
                    Output.size(s.path("sizeBytes")), Output.age(s.path("createdAt")), s.path("location"));
        }
        return table;
    }

    static Table events(Iterable<JsonNode> items) {
        Table table = new Table("AGE", "TYPE", "REASON", "DEPLOYMENT", "VERSION", "ACTOR", "MESSAGE");
        for (JsonNode e : items) {
            table.add(Output.age(e.path("time")), e.path("type"), e.path("reason"), e.path("deployment"),
                    e.path("version"), e.path("actor"), e.path("message"));
        }
        return table;
    }

    /** {@code sql} or {@code jar}: what kind of program a spec runs. */
    static String program(JsonNode spec) {
        if (spec.hasNonNull("sql")) {
            return "sql";
        }
        return spec.hasNonNull("jar") ? "jar" : Output.NONE;
    }
}
