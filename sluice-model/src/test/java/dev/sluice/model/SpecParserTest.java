package dev.sluice.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SpecParserTest {
    private final SpecParser parser = new SpecParser();

    /** Lines 1-8; tests append spec fields from line 9 on. */
    private static final String BASE = """
            apiVersion: sluice.dev/v1
            kind: Pipeline
            metadata:
              name: ride-demand
            spec:
              sql: |
                CREATE TABLE t (x INT);
                INSERT INTO s SELECT x FROM t;
            """;

    // --- valid documents

    @Test
    void validDocumentParsesWithEveryDefaultFilled() {
        SpecParser.Parsed parsed = parser.parse(BASE);

        PipelineDocument doc = parsed.document();
        assertThat(doc.apiVersion()).isEqualTo("sluice.dev/v1");
        assertThat(doc.kind()).isEqualTo("Pipeline");
        assertThat(doc.metadata()).isEqualTo(new Metadata("ride-demand", "default", Map.of()));
        PipelineSpec spec = doc.spec();
        assertThat(spec.sql()).isEqualTo("CREATE TABLE t (x INT);\nINSERT INTO s SELECT x FROM t;\n");
        assertThat(spec.jar()).isNull();
        assertThat(spec.parallelism()).isEqualTo(1);
        assertThat(spec.state()).isEqualTo(DesiredState.RUNNING);
        assertThat(spec.upgradeStrategy()).isEqualTo(UpgradeStrategy.STATEFUL);
        assertThat(spec.restoreStrategy()).isEqualTo(RestoreStrategy.LATEST_STATE);
        assertThat(spec.checkpoints()).isEqualTo(new CheckpointSpec("10s", "5m"));
        assertThat(spec.target()).isEqualTo("embedded");
        assertThat(spec.allowNonRestoredState()).isFalse();
        assertThat(spec.flinkConfiguration()).isEmpty();
        assertThat(parsed.text()).isEqualTo(BASE);
        assertThat(parsed.locations().has("spec.sql")).isTrue();
        assertThat(parsed.locations().has("metadata.namespace")).isFalse();
    }

    @Test
    void givenValuesAreKept() {
        PipelineSpec spec = parser.parse("""
                apiVersion: sluice.dev/v1
                kind: Pipeline
                metadata:
                  name: ride-demand
                  namespace: marketplace
                  labels: {team: pricing}
                spec:
                  sql: INSERT INTO s SELECT 1
                  parallelism: 4
                  state: suspended
                  upgradeStrategy: stateless
                  restoreStrategy: latest-savepoint
                  checkpoints: {interval: 1min}
                  target: cluster-a
                  allowNonRestoredState: true
                  flinkConfiguration:
                    state.backend.type: rocksdb
                """).document().spec();

        assertThat(spec.parallelism()).isEqualTo(4);
        assertThat(spec.state()).isEqualTo(DesiredState.SUSPENDED);
        assertThat(spec.upgradeStrategy()).isEqualTo(UpgradeStrategy.STATELESS);
        assertThat(spec.restoreStrategy()).isEqualTo(RestoreStrategy.LATEST_SAVEPOINT);
        assertThat(spec.checkpoints().interval()).isEqualTo("1min");
        assertThat(spec.target()).isEqualTo("cluster-a");
        assertThat(spec.allowNonRestoredState()).isTrue();
        assertThat(spec.flinkConfiguration()).containsExactly(Map.entry("state.backend.type", "rocksdb"));
    }

    @Test
    void givenNamespaceAndLabelsAreKept() {
        Metadata meta = parser.parse(BASE.replace("  name: ride-demand\n",
                "  name: ride-demand\n  namespace: marketplace\n  labels: {team: pricing}\n")).document().metadata();

        assertThat(meta).isEqualTo(new Metadata("ride-demand", "marketplace", Map.of("team", "pricing")));
    }

    @Test
    void aJarPipelineParses() {
        JarSpec jar = parser.parse("""
                apiVersion: sluice.dev/v1
                kind: Pipeline
                metadata:
                  name: fraud
                spec:
                  jar: {uri: file:///abs/app.jar, entryClass: com.acme.Job, args: [--fast, "2"]}
                """).document().spec().jar();

        assertThat(jar).isEqualTo(new JarSpec("file:///abs/app.jar", "com.acme.Job", List.of("--fast", "2")));
    }

    // --- unknown fields

    @Test
    void unknownTopLevelField() {
        assertThat(onlyError(BASE + "extra: 1\n")).isEqualTo(new SpecError("extra", 9, 1,
                "unknown field 'extra'; known fields here: apiVersion, kind, metadata, spec"));
    }

    @Test
    void unknownNestedField() {
        assertThat(onlyError(BASE + "  paralelism: 2\n")).isEqualTo(new SpecError("spec.paralelism", 9, 3,
                "unknown field 'paralelism'; known fields here: allowNonRestoredState, checkpoints, "
                        + "flinkConfiguration, jar, parallelism, restoreStrategy, rollback, savepoints, sql, state, "
                        + "target, upgradeStrategy"));
    }

    @Test
    void unknownFieldTwoLevelsDown() {
        assertThat(onlyError(BASE + "  checkpoints:\n    intervall: 5s\n")).isEqualTo(new SpecError(
                "spec.checkpoints.intervall", 10, 5, "unknown field 'intervall'; known fields here: fallbackMaxAge, interval"));
    }

    @Test
    void unknownFieldWithABlockValue() {
        SpecError error = onlyError(BASE + "  checkpoint:\n    interval: 5s\n");

        assertThat(error.field()).isEqualTo("spec.checkpoint");
        assertThat(error.message())
                .startsWith("unknown field 'checkpoint'; known fields here: allowNonRestoredState, checkpoints,");
        // line and column not asserted: see unknownFieldWithABlockValuePointsAtItsKey
    }

    @Test
    void unknownFieldWithABlockValuePointsAtItsKey() {
        SpecError error = onlyError(BASE + "  checkpoint:\n    interval: 5s\n");

        assertThat(new int[] {error.line(), error.column()}).containsExactly(9, 3);
    }

    // --- wrong types and values

    @Test
    void wordWhereANumberBelongs() {
        assertThat(onlyError(BASE + "  parallelism: two\n"))
                .isEqualTo(new SpecError("spec.parallelism", 9, 16, "expected a whole number"));
    }

    @Test
    void quotedNumberIsNotCoerced() {
        assertThat(onlyError(BASE + "  parallelism: \"2\"\n"))
                .isEqualTo(new SpecError("spec.parallelism", 9, 16, "expected a whole number"));
    }

    @Test
    void unknownDesiredState() {
        assertThat(onlyError(BASE + "  state: sleeping\n")).isEqualTo(new SpecError("spec.state", 9, 10,
                "'sleeping' is not one of running, suspended, cancelled"));
    }

    @Test
    void unknownUpgradeStrategy() {
        assertThat(onlyError(BASE + "  upgradeStrategy: savepoint\n")).isEqualTo(new SpecError(
                "spec.upgradeStrategy", 9, 20, "'savepoint' is not one of stateful, stateless, none"));
    }

    @Test
    void mappingWhereAStringBelongs() {
        assertThat(onlyError("""
                apiVersion: sluice.dev/v1
                kind: Pipeline
                metadata:
                  name: a
                spec:
                  sql: {a: 1}
                """)).isEqualTo(new SpecError("spec.sql", 6, 8, "expected a string"));
    }

    @Test
    void scalarWhereTheSpecBelongs() {
        assertThat(onlyError("""
                apiVersion: sluice.dev/v1
                kind: Pipeline
                metadata:
                  name: a
                spec: 5
                """)).isEqualTo(new SpecError("spec", 5, 7, "expected a mapping"));
    }

    @Test
    void parallelismZero() {
        assertThat(onlyError(BASE + "  parallelism: 0\n"))
                .isEqualTo(new SpecError("spec.parallelism", 9, 16, "must be between 1 and 1024, got 0"));
    }

    @Test
    void parallelismTooLarge() {
        assertThat(onlyError(BASE + "  parallelism: 1025\n"))
                .isEqualTo(new SpecError("spec.parallelism", 9, 16, "must be between 1 and 1024, got 1025"));
    }

    @Test
    void badDurationInAFlowMapping() {
        assertThat(onlyError(BASE + "  checkpoints: {interval: soon}\n")).isEqualTo(new SpecError(
                "spec.checkpoints.interval", 9, 27, "'soon' is not a duration such as 500ms, 10s, 5min, 2h"));
    }

    @Test
    void durationWithoutUnit() {
        assertThat(onlyError(BASE + "  checkpoints:\n    interval: 10\n")).isEqualTo(new SpecError(
                "spec.checkpoints.interval", 10, 15, "'10' is not a duration such as 500ms, 10s, 5min, 2h"));
    }

    @Test
    void checkpointIntervalTooShort() {
        assertThat(onlyError(BASE + "  checkpoints: {interval: 50ms}\n"))
                .isEqualTo(new SpecError("spec.checkpoints.interval", 9, 27, "must be at least 100ms"));
    }

    @Test
    void hugeCheckpointIntervalIsASpecError() {
        SpecError error = onlyError(BASE + "  checkpoints: {interval: 999999999999d}\n");

        assertThat(error.field()).isEqualTo("spec.checkpoints.interval");
        assertThat(new int[] {error.line(), error.column()}).containsExactly(9, 27);
    }

    @Test
    void badTarget() {
        assertThat(onlyError(BASE + "  target: My_Cluster\n")).isEqualTo(new SpecError("spec.target", 9, 11,
                "must be a lower-case DNS label, got \"My_Cluster\""));
    }

    @Test
    void flinkConfigurationEntryWithoutValue() {
        assertThat(onlyError(BASE + "  flinkConfiguration:\n    state.backend.type:\n")).isEqualTo(
                new SpecError("spec.flinkConfiguration.state.backend.type", 10, 24, "needs a value"));
    }

    // --- metadata

    @Test
    void missingNamePointsAtTheMetadataBlock() {
        assertThat(onlyError("""
                apiVersion: sluice.dev/v1
                kind: Pipeline
                metadata:
                  namespace: marketplace
                spec:
                  sql: SELECT 1
                """)).isEqualTo(new SpecError("metadata.name", 4, 3, "is required"));
    }

    @Test
    void missingMetadataPointsAtTheDocument() {
        assertThat(onlyError("""
                apiVersion: sluice.dev/v1
                kind: Pipeline
                spec:
                  sql: SELECT 1
                """)).isEqualTo(new SpecError("metadata.name", 1, 1, "is required"));
    }

    @Test
    void nameThatIsNotADnsLabel() {
        assertThat(onlyError(BASE.replace("ride-demand", "Ride_Demand"))).isEqualTo(new SpecError("metadata.name", 4, 9,
                "must be a lower-case DNS label (a-z, 0-9, '-', at most 63, starting and ending alphanumeric), "
                        + "got \"Ride_Demand\""));
    }

    @Test
    void nameLongerThan63() {
        String name = "a".repeat(64);
        SpecError error = onlyError(BASE.replace("ride-demand", name));

        assertThat(error.field()).isEqualTo("metadata.name");
        assertThat(error.message()).endsWith("got \"" + name + "\"");
        assertThat(new int[] {error.line(), error.column()}).containsExactly(4, 9);
    }

    @Test
    void namespaceThatIsNotADnsLabel() {
        SpecError error = onlyError(
                BASE.replace("  name: ride-demand\n", "  name: ride-demand\n  namespace: Pricing\n"));

        assertThat(error.field()).isEqualTo("metadata.namespace");
        assertThat(error.message()).endsWith("got \"Pricing\"");
        assertThat(new int[] {error.line(), error.column()}).containsExactly(5, 14);
    }

    @Test
    void wrongApiVersion() {
        assertThat(onlyError(BASE.replace("sluice.dev/v1", "sluice.dev/v2"))).isEqualTo(new SpecError("apiVersion", 1,
                13, "must be sluice.dev/v1, got \"sluice.dev/v2\""));
    }

    @Test
    void missingApiVersionPointsAtTheDocument() {
        assertThat(onlyError(BASE.replace("apiVersion: sluice.dev/v1\n", ""))).isEqualTo(new SpecError("apiVersion",
                1, 1, "must be sluice.dev/v1, got nothing"));
    }

    @Test
    void wrongKind() {
        assertThat(onlyError(BASE.replace("kind: Pipeline", "kind: Deployment"))).isEqualTo(new SpecError("kind", 2, 7,
                "must be Pipeline, got \"Deployment\""));
    }

    // --- spec

    @Test
    void missingSpec() {
        assertThat(onlyError("""
                apiVersion: sluice.dev/v1
                kind: Pipeline
                metadata:
                  name: a
                """)).isEqualTo(new SpecError("spec", 1, 1, "is required"));
    }

    @Test
    void bothSqlAndJar() {
        assertThat(onlyError(BASE + "  jar:\n    uri: file:///a.jar\n")).isEqualTo(new SpecError("spec", 6, 3,
                "give exactly one of spec.sql and spec.jar"));
    }

    @Test
    void neitherSqlNorJar() {
        assertThat(onlyError("""
                apiVersion: sluice.dev/v1
                kind: Pipeline
                metadata:
                  name: a
                spec:
                  parallelism: 2
                """)).isEqualTo(new SpecError("spec", 6, 3, "give exactly one of spec.sql and spec.jar"));
    }

    @Test
    void blankSqlCountsAsNoSql() {
        assertThat(onlyError("""
                apiVersion: sluice.dev/v1
                kind: Pipeline
                metadata:
                  name: a
                spec:
                  sql: "  "
                """)).isEqualTo(new SpecError("spec", 6, 3, "give exactly one of spec.sql and spec.jar"));
    }

    @Test
    void jarWithoutUri() {
        assertThat(onlyError("""
                apiVersion: sluice.dev/v1
                kind: Pipeline
                metadata:
                  name: a
                spec:
                  jar: {entryClass: com.acme.Job}
                """)).isEqualTo(new SpecError("spec.jar.uri", 6, 8, "is required"));
    }

    @Test
    void everyValidationProblemIsReportedAtOnce() {
        InvalidSpecException e = rejected("""
                apiVersion: sluice.dev/v2
                kind: Pipeline
                metadata:
                  name: Bad_Name
                spec:
                  sql: SELECT 1
                  parallelism: 0
                """);

        assertThat(e.errors()).extracting(SpecError::field)
                .containsExactly("apiVersion", "metadata.name", "spec.parallelism");
        assertThat(e.getMessage()).isEqualTo("apiVersion (line 1, column 13): must be sluice.dev/v1, got "
                + "\"sluice.dev/v2\"; metadata.name (line 4, column 9): must be a lower-case DNS label (a-z, 0-9, '-', "
                + "at most 63, starting and ending alphanumeric), got \"Bad_Name\"; spec.parallelism (line 7, "
                + "column 16): must be between 1 and 1024, got 0");
    }

    // --- not a document

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "\n\n", "---\n"})
    void emptyDocument(String text) {
        assertThat(onlyError(text)).isEqualTo(new SpecError("", 1, 1, "the document is empty"));
    }

    @Test
    void nullDocument() {
        assertThat(onlyError(null)).isEqualTo(new SpecError("", 1, 1, "the document is empty"));
    }

    @Test
    void documentOfOnlyCommentsIsEmpty() {
        assertThat(onlyError("# nothing here yet\n").message()).isEqualTo("the document is empty");
    }

    @Test
    void listInsteadOfADocument() {
        SpecError error = onlyError("- a\n- b\n");

        assertThat(error.field()).isEmpty();
        assertThat(new int[] {error.line(), error.column()}).containsExactly(1, 1);
        assertThat(error.message()).startsWith("expected a mapping");
    }

    @Test
    void tabIndentationIsInvalidYaml() {
        SpecError error = onlyError("""
                apiVersion: sluice.dev/v1
                kind: Pipeline
                metadata:
                \tname: a
                spec:
                  sql: SELECT 1
                """);

        assertThat(error.field()).isEmpty();
        assertThat(error.message()).startsWith("not valid YAML: ").contains("found character '\\t(TAB)'")
                .contains("line 4, column 1");
        // line and column not asserted: see syntaxErrorPointsAtTheTab
    }

    @Test
    void syntaxErrorPointsAtTheTab() {
        SpecError error = onlyError(
                "apiVersion: sluice.dev/v1\nkind: Pipeline\nmetadata:\n\tname: a\nspec:\n  sql: SELECT 1\n");

        assertThat(new int[] {error.line(), error.column()}).containsExactly(4, 1);
    }

    @Test
    void badIndentationIsInvalidYaml() {
        SpecError error = onlyError("""
                apiVersion: sluice.dev/v1
                kind: Pipeline
                metadata:
                  name: a
                 namespace: b
                spec:
                  sql: SELECT 1
                """);

        assertThat(error.field()).isEmpty();
        assertThat(new int[] {error.line(), error.column()}).containsExactly(5, 2);
        assertThat(error.message()).startsWith("not valid YAML: while parsing a block mapping");
    }

    @Test
    void overIndentedLineIsReported() {
        SpecError error = onlyError("""
                apiVersion: sluice.dev/v1
                kind: Pipeline
                metadata:
                  name: a
                   namespace: b
                spec:
                  sql: SELECT 1
                """);

        assertThat(error.message()).startsWith("not valid YAML: mapping values are not allowed here")
                .contains("line 5, column 13");
        // field, line and column not asserted: see overIndentedLinePointsAtTheProblem
    }

    @Test
    void overIndentedLinePointsAtTheProblem() {
        SpecError error = onlyError("apiVersion: sluice.dev/v1\nkind: Pipeline\nmetadata:\n  name: a\n"
                + "   namespace: b\nspec:\n  sql: SELECT 1\n");

        assertThat(new int[] {error.line(), error.column()}).containsExactly(5, 13);
    }

    // --- describe

    @Test
    void describeNamesFieldLineAndColumnWhenKnown() {
        assertThat(new SpecError("spec.parallelism", 9, 16, "must be at least 1").describe())
                .isEqualTo("spec.parallelism (line 9, column 16): must be at least 1");
        assertThat(new SpecError("spec.sql", 3, 0, "bad").describe()).isEqualTo("spec.sql (line 3): bad");
        assertThat(new SpecError("spec.sql", 0, 0, "bad").describe()).isEqualTo("spec.sql: bad");
        assertThat(new SpecError("", 1, 1, "the document is empty").describe())
                .isEqualTo("document (line 1, column 1): the document is empty");
    }

    // --- SourceLocations

    @Test
    void positionInsideALiteralSqlBlockMapsToTheDocument() {
        SourceLocations at = SourceLocations.of(BASE);
        String sql = parser.parse(BASE).document().spec().sql();

        // BASE line 7 is "    CREATE TABLE t (x INT);", line 8 "    INSERT INTO s SELECT x FROM t;"
        assertThat(at.insideValue("spec.sql", sql, 1, 1)).containsExactly(7, 5);
        assertThat(at.insideValue("spec.sql", sql, 2, 13)).containsExactly(8, 17);
    }

    @Test
    void positionInsideAStrippedLiteralBlockFollowedByMoreFields() {
        String text = """
                apiVersion: sluice.dev/v1
                kind: Pipeline
                metadata:
                  name: a
                  labels: {x: SELECT 1;}
                spec:
                  sql: |-
                      SELECT 1;
                  parallelism: 2
                """;
        SourceLocations at = SourceLocations.of(text);

        // The same text earlier in the document (line 5) does not confuse the search; the block is indented by 6.
        assertThat(at.insideValue("spec.sql", "SELECT 1;", 1, 8)).containsExactly(8, 14);
    }

    @Test
    void positionInsideAQuotedValueFallsBackToTheValueStart() {
        String text = """
                apiVersion: sluice.dev/v1
                kind: Pipeline
                metadata:
                  name: a
                spec:
                  sql: "SELECT 1"
                """;

        assertThat(SourceLocations.of(text).insideValue("spec.sql", "SELECT 1", 1, 8)).containsExactly(6, 8);
    }

    @Test
    void positionInsideAnAbsentValueIsUnknown() {
        assertThat(SourceLocations.of(BASE).insideValue("spec.jar", "x", 1, 1)).containsExactly(0, 0);
    }

    @Test
    void errorFallsBackToTheNearestPresentParent() {
        SourceLocations at = SourceLocations.of(BASE);

        assertThat(at.error("spec.sql", "m")).isEqualTo(new SpecError("spec.sql", 6, 8, "m"));
        assertThat(at.error("spec.checkpoints.interval", "m"))
                .isEqualTo(new SpecError("spec.checkpoints.interval", 6, 3, "m"));
        assertThat(at.error("nothing.here", "m")).isEqualTo(new SpecError("nothing.here", 1, 1, "m"));
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

    @Test
    void rejectedDocumentThrowsInvalidSpecException() {
        assertThatThrownBy(() -> parser.parse(BASE + "  parallelism: 0\n"))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessage("spec.parallelism (line 9, column 16): must be between 1 and 1024, got 0");
    }
}
