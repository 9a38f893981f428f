package dev.sluice.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The spec fields for upgrades, rollback and the snapshot catalog: their defaults and their validation. */
class SpecParserUpgradeFieldsTest {
    private final SpecParser parser = new SpecParser();

    /** Lines 1-7; tests append spec fields from line 8 on. */
    private static final String BASE = """
            apiVersion: sluice.dev/v1
            kind: Pipeline
            metadata:
              name: ride-demand
            spec:
              sql: |
                INSERT INTO s SELECT x FROM t;
            """;

    @Test
    void defaults() {
        PipelineSpec spec = parser.parse(BASE).document().spec();

        assertThat(spec.rollback()).isEqualTo(new RollbackSpec(true, "60s", 3)).isEqualTo(RollbackSpec.DEFAULTS);
        assertThat(spec.checkpoints().fallbackMaxAge()).isEqualTo("5m");
        assertThat(spec.savepoints()).isNull();
    }

    @Test
    void partlyGivenSectionsAreCompletedWithDefaults() {
        PipelineSpec spec = parser.parse(BASE + """
                  checkpoints: {fallbackMaxAge: 90s}
                  rollback: {maxRestarts: 1}
                """).document().spec();

        assertThat(spec.checkpoints()).isEqualTo(new CheckpointSpec("10s", "90s"));
        assertThat(spec.rollback()).isEqualTo(new RollbackSpec(true, "60s", 1));
    }

    @Test
    void givenValuesAreKept() {
        PipelineSpec spec = parser.parse(BASE + """
                  checkpoints:
                    interval: 30s
                    fallbackMaxAge: 15min
                  rollback:
                    enabled: false
                    readinessTimeout: 2m
                    maxRestarts: 0
                  savepoints:
                    periodic: 6h
                    retainCount: 5
                    retainAge: 7d
                """).document().spec();

        assertThat(spec.checkpoints()).isEqualTo(new CheckpointSpec("30s", "15min"));
        assertThat(spec.rollback()).isEqualTo(new RollbackSpec(false, "2m", 0));
        assertThat(spec.savepoints()).isEqualTo(new SavepointSpec("6h", 5, "7d"));
    }

    @Test
    void rollbackSpecDefaultsFillOnlyWhatIsMissing() {
        assertThat(new RollbackSpec(null, null, null).withDefaults()).isEqualTo(RollbackSpec.DEFAULTS);
        assertThat(new RollbackSpec(false, null, 7).withDefaults()).isEqualTo(new RollbackSpec(false, "60s", 7));
        assertThat(new CheckpointSpec(null, null).withDefaults()).isEqualTo(new CheckpointSpec("10s", "5m"));
        assertThat(new CheckpointSpec("1s", null).fallbackMaxAgeOrDefault()).isEqualTo("5m");
        assertThat(new CheckpointSpec("1s", "1h").fallbackMaxAgeOrDefault()).isEqualTo("1h");
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
        "spec.checkpoints.fallbackMaxAge | '  checkpoints:\n    fallbackMaxAge: soon\n' | 9 | 21 | "
                + "'soon' is not a duration such as 500ms, 10s, 5min, 2h",
        "spec.rollback.readinessTimeout  | '  rollback:\n    readinessTimeout: 1 week\n' | 9 | 23 | "
                + "'1 week' is not a duration such as 500ms, 10s, 5min, 2h",
        "spec.rollback.maxRestarts       | '  rollback:\n    maxRestarts: -1\n' | 9 | 18 | must be 0 or more",
        "spec.savepoints.periodic        | '  savepoints:\n    periodic: hourly\n' | 9 | 15 | "
                + "'hourly' is not a duration such as 500ms, 10s, 5min, 2h",
        "spec.savepoints.retainAge       | '  savepoints:\n    retainAge: 1y\n' | 9 | 16 | "
                + "'1y' is not a duration such as 500ms, 10s, 5min, 2h",
        "spec.savepoints.retainCount     | '  savepoints:\n    retainCount: 0\n' | 9 | 18 | must be at least 1",
    })
    void badValuesAreErrorsAtTheirPlace(String field, String lines, int line, int column, String message) {
        assertThat(onlyError(BASE + lines.replace("\\n", "\n")))
                .isEqualTo(new SpecError(field, line, column, message));
    }

    @Test
    void everyBadValueIsReportedAtOnce() {
        InvalidSpecException e = rejected(BASE + """
                  checkpoints: {fallbackMaxAge: later}
                  rollback: {readinessTimeout: x, maxRestarts: -2}
                  savepoints: {periodic: y, retainCount: -1, retainAge: z}
                """);

        assertThat(e.errors()).extracting(SpecError::field).containsExactly("spec.checkpoints.fallbackMaxAge",
                "spec.rollback.readinessTimeout", "spec.rollback.maxRestarts", "spec.savepoints.periodic",
                "spec.savepoints.retainAge", "spec.savepoints.retainCount");
    }

    @Test
    void unknownFieldsInTheNewSectionsAreNamed() {
        assertThat(onlyError(BASE + "  rollback: {maxRestart: 1}\n").message())
                .isEqualTo("unknown field 'maxRestart'; known fields here: enabled, maxRestarts, readinessTimeout");
        assertThat(onlyError(BASE + "  savepoints: {keep: 1}\n").message())
                .isEqualTo("unknown field 'keep'; known fields here: periodic, retainAge, retainCount");
    }

    @Test
    void aWordWhereAFlagBelongsIsAnError() {
        SpecError error = onlyError(BASE + "  rollback: {enabled: maybe}\n");

        assertThat(error.field()).isEqualTo("spec.rollback.enabled");
        assertThat(error.message()).isEqualTo("expected true or false");
    }

    private SpecError onlyError(String text) {
        InvalidSpecException e = rejected(text);
        assertThat(e.errors()).hasSize(1);
        return e.errors().get(0);
    }

    private InvalidSpecException rejected(String text) {
        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class, () -> parser.parse(text));
        assertThat(e).as("parsing should fail with an InvalidSpecException").isNotNull();
        return e;
    }
}
