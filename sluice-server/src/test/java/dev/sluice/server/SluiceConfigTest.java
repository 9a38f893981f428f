package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sluice.model.InvalidSpecException;
import dev.sluice.model.SpecError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code targets:} of sluice.yaml: what is refused, with its line and column, and what is accepted. */
class SluiceConfigTest {
    @TempDir
    Path dir;

    private SluiceConfig read(String yaml) throws Exception {
        Path file = dir.resolve("sluice.yaml");
        Files.writeString(file, yaml);
        return SluiceConfig.read(file);
    }

    private List<SpecError> errors(String yaml) throws Exception {
        Path file = dir.resolve("sluice.yaml");
        Files.writeString(file, yaml);
        return catchThrowableOfType(InvalidSpecException.class, () -> SluiceConfig.read(file)).errors();
    }

    @Test
    void aSessionClusterTargetIsRead() throws Exception {
        SluiceConfig config = read("""
                targets:
                  - {name: prod, type: flink-session, rest: "http://flink-jm:8081"}
                  - {name: test, rest: "http://127.0.0.1:18081/"}
                """);

        assertThat(config.remoteTargets()).extracting(SluiceConfig.Target::name).containsExactly("prod", "test");
    }

    @Test
    void keysGivenTwiceAndFractionsAreRefused() throws Exception {
        assertThat(errors("port: 8080\nport: 9090\n")).containsExactly(new SpecError("port", 2, 1,
                "duplicate key 'port' (first at line 1, again at line 2); give each key once"));
        List<SpecError> fraction = errors("flink: {slots: 1.5}\n");
        assertThat(fraction).hasSize(1);
        assertThat(fraction.get(0).line()).isEqualTo(1);
    }

    @Test
    void badTargetsAreRefusedNamingFieldLineAndColumn() throws Exception {
        List<SpecError> errors = errors("""
                port: 8080
                targets:
                  - {name: embedded, type: flink-session, rest: "http://a:8081"}
                  - {name: b, type: yarn, rest: "http://b:8081"}
                  - {name: c, rest: "https://c:8443"}
                  - {name: d, rest: "http://d"}
                  - {name: b, rest: "flink-jm:8081"}
                """);

        assertThat(errors).extracting(SpecError::message).containsExactly(
                "targets.0.name: 'embedded' is already a target",
                "targets.1.type: unknown type 'yarn'; expected flink-session",
                "targets.2.rest: https is not supported yet; give the cluster's plain http://host:port REST address",
                "targets.3.rest: expected http://host:port, got \"http://d\"",
                "targets.4.name: 'b' is already a target",
                "targets.4.rest: expected http://host:port, got \"flink-jm:8081\"");
        assertThat(errors.get(1).line()).isEqualTo(4);
        assertThat(errors.get(1).column()).isPositive();
        assertThat(errors).allSatisfy(e -> assertThat(e.field()).endsWith("sluice.yaml"));
    }
}
