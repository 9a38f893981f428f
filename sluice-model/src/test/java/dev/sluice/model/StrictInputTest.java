package dev.sluice.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Ambiguous input is bad input: keys given twice, fractions for counts, documents that would be ignored. */
class StrictInputTest {
    private final SpecParser parser = new SpecParser();

    private static String pipeline(String name, String specFields) {
        return """
                apiVersion: sluice.dev/v1
                kind: Pipeline
                metadata:
                  name: %s
                spec:
                  sql: "INSERT INTO s SELECT 1;"
                %s""".formatted(name, specFields.indent(2));
    }

    private List<SpecError> errors(String text) {
        return catchThrowableOfType(InvalidSpecException.class, () -> parser.parseAll(text)).errors();
    }

    @Test
    void aKeyGivenTwiceIsRefusedNamingTheKeyAndBothLines() {
        List<SpecError> errors = errors(pipeline("a", "parallelism: -7\nparallelism: 1\n"));

        assertThat(errors).containsExactly(new SpecError("spec.parallelism", 8, 3,
                "duplicate key 'parallelism' (first at line 7, again at line 8); give each key once"));
    }

    @Test
    void duplicatesAreFoundAtEveryLevelAndADuplicatedMappingIsNamedOnce() {
        assertThat(errors("""
                apiVersion: sluice.dev/v1
                kind: Pipeline
                kind: Pipeline
                metadata: {name: a}
                spec:
                  sql: "INSERT INTO s SELECT 1;"
                  checkpoints: {interval: 10s, interval: 1s}
                  state: cancelled
                  state: running
                  sql: "INSERT INTO s SELECT 2;"
                metadata:
                  name: b
                """)).extracting(SpecError::field, SpecError::line).containsExactly(
                        org.assertj.core.groups.Tuple.tuple("kind", 3),
                        org.assertj.core.groups.Tuple.tuple("spec.checkpoints.interval", 7),
                        org.assertj.core.groups.Tuple.tuple("spec.state", 9),
                        org.assertj.core.groups.Tuple.tuple("spec.sql", 10),
                        org.assertj.core.groups.Tuple.tuple("metadata", 11));
        assertThat(errors(pipeline("a", "flinkConfiguration:\n  a.b: x\n  a.b: y\n")))
                .extracting(SpecError::field).containsExactly("spec.flinkConfiguration.a.b");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.5", "1e3", "\"2\"", "2.0", "true"})
    void aWholeNumberMustBeWritten(String value) {
        List<SpecError> errors = errors(pipeline("a", "parallelism: " + value + "\n"));

        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).field()).isEqualTo("spec.parallelism");
        assertThat(errors.get(0).line()).isEqualTo(7);
        assertThat(errors.get(0).message()).contains("whole number");
    }

    @Test
    void everyDocumentOfAFileIsRead() {
        List<SpecParser.Parsed> parsed = parser.parseAll("---\n" + pipeline("a", "parallelism: 2\n")
                + "---\n# the second\n" + pipeline("b", "parallelism: 3\n") + "---\n");

        assertThat(parsed).extracting(p -> p.document().metadata().name()).containsExactly("a", "b");
        assertThat(parsed).extracting(p -> p.document().spec().parallelism()).containsExactly(2, 3);
        assertThat(parsed.get(1).locations().error("spec.parallelism", "x").line()).isEqualTo(17);
    }

    @Test
    void anErrorInALaterDocumentFailsTheFileNamingItsDocumentAndLine() {
        String text = pipeline("a", "") + "---\n" + pipeline("b", "parallelism: 0\n") + "---\n"
                + pipeline("c", "parallelism: 1.5\n");

        List<SpecError> errors = errors(text);

        assertThat(errors).extracting(SpecError::document, SpecError::field, SpecError::line).containsExactly(
                org.assertj.core.groups.Tuple.tuple(2, "spec.parallelism", 14),
                org.assertj.core.groups.Tuple.tuple(3, "spec.parallelism", 22));
        assertThat(errors.get(0).describe()).startsWith("document 2: spec.parallelism (line 14, column 16)");
    }

    @Test
    void theOneDocumentReaderRefusesAFileOfSeveral() {
        List<SpecError> errors = catchThrowableOfType(InvalidSpecException.class,
                () -> parser.parse(pipeline("a", "") + "---\n" + pipeline("b", ""))).errors();

        assertThat(errors).extracting(SpecError::line, SpecError::message)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(8, "the file holds 2 YAML documents; this takes one pipeline"));
    }

    @Test
    void aSyntaxErrorInAnyDocumentIsReportedWithItsLine() {
        List<SpecError> errors = errors(pipeline("a", "") + "---\n" + pipeline("b", "parallelism: [1\n"));

        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).message()).startsWith("not valid YAML");
        assertThat(errors.get(0).line()).isGreaterThanOrEqualTo(15);
    }

    @Test
    void onlyEmptyDocumentsIsAnEmptyFile() {
        assertThat(errors("---\n# nothing\n---\n")).extracting(SpecError::message).containsExactly("the document is empty");
    }
}
