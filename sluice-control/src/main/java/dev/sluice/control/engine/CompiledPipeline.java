package dev.sluice.control.engine;

/** A pipeline as the engine will run it; for SQL, the compiled plan (JSON), stored with the version it belongs to. */
public record CompiledPipeline(String kind, String plan) {
    public static final String SQL_PLAN = "sql-plan";
}
