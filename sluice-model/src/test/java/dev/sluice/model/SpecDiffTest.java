package dev.sluice.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The typed diff of two specs: each field's type, the action per upgrade strategy, and defaults counted as written. */
class SpecDiffTest {
    private static final String SQL = "INSERT INTO s SELECT x FROM t;\n";
    private final SpecParser parser = new SpecParser();

    // --- the type of every field

    static Stream<Arguments> everyField() {
        JarSpec jarA = new JarSpec("file:///a.jar", "com.acme.Job", null);
        JarSpec jarB = new JarSpec("file:///b.jar", "com.acme.Job", null);
        return Stream.of(
                Arguments.of("spec.sql", "", "sql", DiffType.UPGRADE, SQL, "INSERT INTO s SELECT 2 * x FROM t;\n"),
                Arguments.of("spec.jar", "", "jar", DiffType.UPGRADE, jarA, jarB),
                Arguments.of("spec.parallelism", "", "parallelism: 2", DiffType.SCALE, 1, 2),
                Arguments.of("spec.state", "", "state: suspended", DiffType.STATE, DesiredState.RUNNING,
                        DesiredState.SUSPENDED),
                Arguments.of("spec.upgradeStrategy", "", "upgradeStrategy: stateless", DiffType.IGNORE,
                        UpgradeStrategy.STATEFUL, UpgradeStrategy.STATELESS),
                Arguments.of("spec.restoreStrategy", "", "restoreStrategy: latest-savepoint", DiffType.IGNORE,
                        RestoreStrategy.LATEST_STATE, RestoreStrategy.LATEST_SAVEPOINT),
                Arguments.of("spec.checkpoints.interval", "", "checkpoints: {interval: 1min}", DiffType.UPGRADE,
                        "10s", "1min"),
                Arguments.of("spec.checkpoints.fallbackMaxAge", "", "checkpoints: {fallbackMaxAge: 1h}",
                        DiffType.IGNORE, "5m", "1h"),
                Arguments.of("spec.target", "", "target: cluster-a", DiffType.UPGRADE, "embedded", "cluster-a"),
                Arguments.of("spec.allowNonRestoredState", "", "allowNonRestoredState: true", DiffType.IGNORE,
                        false, true),
                Arguments.of("spec.flinkConfiguration", "", "flinkConfiguration: {state.backend.type: rocksdb}",
                        DiffType.UPGRADE, Map.of(), Map.of("state.backend.type", "rocksdb")),
                Arguments.of("spec.rollback", "", "rollback: {maxRestarts: 1}", DiffType.IGNORE,
                        new RollbackSpec(true, "60s", 3), new RollbackSpec(true, "60s", 1)),
                Arguments.of("spec.savepoints", "", "savepoints: {periodic: 1h}", DiffType.IGNORE, null,
                        new SavepointSpec("1h", null, null)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyField")
    void eachFieldHasItsType(String field, String before, String after, DiffType type, Object from, Object to) {
        SpecDiff diff = field.equals("spec.jar")
                ? SpecDiff.between(jarSpec("file:///a.jar"), jarSpec("file:///b.jar"))
                : field.equals("spec.sql")
                        ? SpecDiff.between(spec(""), spec("").withSql("INSERT INTO s SELECT 2 * x FROM t;\n"))
                        : SpecDiff.between(spec(before), spec(after));

        assertThat(diff.changes()).containsExactly(new SpecDiff.Change(field, from, to, type));
        assertThat(diff.type()).isEqualTo(type);
    }

    @Test
    void theCheckpointFallbackAgeAloneNeedsNoRestartButTheIntervalDoes() {
        // fallbackMaxAge is read only while upgrading a job that cannot take a savepoint; the interval is the job's.
        PipelineSpec fallback = spec("checkpoints: {fallbackMaxAge: 1h}");
        PipelineSpec interval = spec("checkpoints: {interval: 1min}");

        SpecDiff fallbackOnly = SpecDiff.between(spec(""), fallback);
        SpecDiff intervalOnly = SpecDiff.between(spec(""), interval);
        SpecDiff both = SpecDiff.between(spec(""), spec("checkpoints: {interval: 1min, fallbackMaxAge: 1h}"));

        assertThat(fallbackOnly.changes())
                .containsExactly(new SpecDiff.Change("spec.checkpoints.fallbackMaxAge", "5m", "1h", DiffType.IGNORE));
        assertThat(fallbackOnly.action()).isEqualTo(UpgradeAction.NONE);
        assertThat(intervalOnly.changes())
                .containsExactly(new SpecDiff.Change("spec.checkpoints.interval", "10s", "1min", DiffType.UPGRADE));
        assertThat(intervalOnly.action()).isEqualTo(UpgradeAction.STATEFUL_UPGRADE);
        assertThat(both.changes()).extracting(SpecDiff.Change::field)
                .containsExactly("spec.checkpoints.interval", "spec.checkpoints.fallbackMaxAge");
        assertThat(both.action()).isEqualTo(UpgradeAction.STATEFUL_UPGRADE);
        assertThat(SpecDiff.between(fallback, interval).changes()).hasSize(2);
    }

    @Test
    void theLargestTypeWinsAndEveryChangeIsListedInFieldOrder() {
        SpecDiff diff = SpecDiff.between(spec(""), spec("state: suspended\n  parallelism: 3\n"
                + "  upgradeStrategy: stateless\n  target: cluster-a"));

        assertThat(diff.changes()).extracting(SpecDiff.Change::field, SpecDiff.Change::type).containsExactly(
                tuple("spec.parallelism", DiffType.SCALE),
                tuple("spec.state", DiffType.STATE),
                tuple("spec.upgradeStrategy", DiffType.IGNORE),
                tuple("spec.target", DiffType.UPGRADE));
        assertThat(diff.type()).isEqualTo(DiffType.UPGRADE);
        assertThat(diff.action()).isEqualTo(UpgradeAction.STATELESS_RESTART); // the new spec's strategy decides
    }

    @Test
    void typesAreOrderedByWhatTheyAskOfAJob() {
        assertThat(DiffType.values()).containsExactly(DiffType.IGNORE, DiffType.STATE, DiffType.SCALE,
                DiffType.UPGRADE);
        assertThat(DiffType.IGNORE).isLessThan(DiffType.STATE);
        assertThat(DiffType.SCALE).isLessThan(DiffType.UPGRADE);
    }

    // --- the action, per upgrade strategy

    @ParameterizedTest(name = "{0} with {1}: {2}")
    @CsvSource({
        "parallelism, stateful,  RESCALE",
        "parallelism, stateless, STATELESS_RESTART",
        "parallelism, none,      NONE",
        "sql,         stateful,  STATEFUL_UPGRADE",
        "sql,         stateless, STATELESS_RESTART",
        "sql,         none,      NONE",
        "nothing,     stateful,  NONE",
        "nothing,     stateless, NONE",
        "nothing,     none,      NONE",
        "state,       stateful,  NONE",
        "state,       stateless, NONE",
        "state,       none,      NONE",
    })
    void actionPerStrategy(String change, String strategy, UpgradeAction action) {
        String both = "upgradeStrategy: " + strategy;
        PipelineSpec before = spec(both);
        PipelineSpec after = switch (change) {
            case "parallelism" -> spec(both + "\n  parallelism: 4");
            case "sql" -> spec(both).withSql("INSERT INTO s SELECT x + 1 FROM t;\n");
            case "state" -> spec(both + "\n  state: suspended");
            default -> spec(both);
        };

        SpecDiff diff = SpecDiff.between(before, after);

        assertThat(diff.action()).isEqualTo(action);
        assertThat(diff.action().restarts()).isEqualTo(action != UpgradeAction.NONE);
        DiffType expectedType = switch (change) {
            case "parallelism" -> DiffType.SCALE;
            case "sql" -> DiffType.UPGRADE;
            case "state" -> DiffType.STATE;
            default -> DiffType.IGNORE;
        };
        assertThat(diff.type()).isEqualTo(expectedType);
    }

    @ParameterizedTest(name = "stateful -> {0}")
    @CsvSource({"stateless", "none", "stateful"})
    void changingOnlyTheStrategyNeedsNothing(String strategy) {
        SpecDiff diff = SpecDiff.between(spec(""), spec("upgradeStrategy: " + strategy));

        assertThat(diff.type()).isEqualTo(DiffType.IGNORE);
        assertThat(diff.action()).isEqualTo(UpgradeAction.NONE);
        assertThat(diff.changes()).hasSize(strategy.equals("stateful") ? 0 : 1);
    }

    @Test
    void theNewSpecsStrategyDecides() {
        PipelineSpec none = spec("upgradeStrategy: none");

        assertThat(SpecDiff.between(none, spec("parallelism: 2")).action()).isEqualTo(UpgradeAction.RESCALE);
        assertThat(SpecDiff.between(spec(""), spec("parallelism: 2\n  upgradeStrategy: none")).action())
                .isEqualTo(UpgradeAction.NONE);
    }

    // --- equivalent specs

    @Test
    void documentsThatDifferOnlyInMetadataHaveNoChanges() {
        PipelineSpec a = parser.parse(document("ride-demand", "{team: pricing}", "")).document().spec();
        PipelineSpec b = parser.parse(document("ride-demand", "{team: growth, tier: gold}", "")).document().spec();

        SpecDiff diff = SpecDiff.between(a, b);

        assertThat(diff.changes()).isEmpty();
        assertThat(diff.type()).isEqualTo(DiffType.IGNORE);
        assertThat(diff.action()).isEqualTo(UpgradeAction.NONE);
        assertThat(diff.onlyState()).isTrue();
    }

    @Test
    void defaultsCountAsWritten() {
        PipelineSpec bare = PipelineSpec.ofSql(SQL);
        PipelineSpec spelledOut = new PipelineSpec(SQL, null, 1, DesiredState.RUNNING, UpgradeStrategy.STATEFUL,
                RestoreStrategy.LATEST_STATE, new CheckpointSpec("10s", "5m"), "embedded", false, Map.of(),
                new RollbackSpec(true, "60s", 3), null);
        PipelineSpec partlyWritten = new PipelineSpec(SQL, null, null, null, null, null,
                new CheckpointSpec(null, "5m"), null, null, null, new RollbackSpec(null, null, 3), null);

        assertThat(SpecDiff.between(bare, spelledOut).changes()).isEmpty();
        assertThat(SpecDiff.between(spelledOut, bare).changes()).isEmpty();
        assertThat(SpecDiff.between(bare, partlyWritten).changes()).isEmpty();
        assertThat(SpecDiff.between(bare, spelledOut).action()).isEqualTo(UpgradeAction.NONE);
    }

    @Test
    void parallelismAbsentIsOne() {
        PipelineSpec absent = PipelineSpec.ofSql(SQL);
        PipelineSpec one = Json.read("{\"sql\":" + Json.write(SQL) + ",\"parallelism\":1}", PipelineSpec.class);
        PipelineSpec two = Json.read("{\"sql\":" + Json.write(SQL) + ",\"parallelism\":2}", PipelineSpec.class);

        assertThat(SpecDiff.between(absent, one).changes()).isEmpty();
        assertThat(SpecDiff.between(absent, two).changes())
                .containsExactly(new SpecDiff.Change("spec.parallelism", 1, 2, DiffType.SCALE));
    }

    @Test
    void aSpecStoredBeforeTheNewFieldsExistedComparesByItsDefaults() {
        // Versions stored before rollback, savepoints and fallbackMaxAge existed read back without them.
        PipelineSpec stored = Json.read("{\"sql\":" + Json.write(SQL) + ",\"parallelism\":1,\"state\":\"running\","
                + "\"upgradeStrategy\":\"stateful\",\"restoreStrategy\":\"latest-state\","
                + "\"checkpoints\":{\"interval\":\"10s\"},\"target\":\"embedded\",\"allowNonRestoredState\":false,"
                + "\"flinkConfiguration\":{}}", PipelineSpec.class);

        assertThat(SpecDiff.between(stored, spec("")).changes()).isEmpty();
    }

    @Test
    void onlyStateIsTrueForStateChangesAlone() {
        assertThat(SpecDiff.between(spec(""), spec("state: suspended")).onlyState()).isTrue();
        assertThat(SpecDiff.between(spec(""), spec("")).onlyState()).isTrue();
        assertThat(SpecDiff.between(spec(""), spec("upgradeStrategy: none")).onlyState()).isFalse();
        assertThat(SpecDiff.between(spec(""), spec("state: suspended\n  parallelism: 2")).onlyState()).isFalse();
    }

    @Test
    void aDiffReadsAsWireNames() {
        SpecDiff diff = SpecDiff.between(spec(""), spec("parallelism: 2"));

        assertThat(Json.write(diff)).isEqualTo("{\"changes\":[{\"field\":\"spec.parallelism\",\"from\":1,\"to\":2,"
                + "\"type\":\"scale\"}],\"type\":\"scale\",\"action\":\"rescale\"}");
        assertThat(Json.write(SpecDiff.between(spec(""), spec("savepoints: {periodic: 1h}"))))
                .contains("{\"field\":\"spec.savepoints\",\"to\":{\"periodic\":\"1h\"},\"type\":\"ignore\"}");
        assertThat(List.of(UpgradeAction.values())).extracting(UpgradeAction::wire)
                .containsExactly("none", "rescale", "stateless-restart", "stateful-upgrade");
    }

    // --- helpers

    /** A parsed spec (defaults filled in, as stored) with extra spec lines. */
    private PipelineSpec spec(String extra) {
        return parser.parse(document("ride-demand", "{}", extra)).document().spec();
    }

    private PipelineSpec jarSpec(String uri) {
        return parser.parse("""
                apiVersion: sluice.dev/v1
                kind: Pipeline
                metadata:
                  name: fraud
                spec:
                  jar: {uri: %s, entryClass: com.acme.Job}
                """.formatted(uri)).document().spec();
    }

    private static String document(String name, String labels, String extra) {
        return "apiVersion: sluice.dev/v1\nkind: Pipeline\nmetadata:\n  name: " + name + "\n  labels: " + labels
                + "\nspec:\n  sql: |\n    " + SQL + (extra.isEmpty() ? "" : "  " + extra + "\n");
    }
}
