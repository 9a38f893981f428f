package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.control.store.H2Databases;
import dev.sluice.control.store.Store;
import dev.sluice.model.InvalidSpecException;
import dev.sluice.model.SpecError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code store} section of sluice.yaml: where the database and its credentials come from, and what is refused. */
class StoreConfigTest {
    private static final String URL = "jdbc:postgresql://db.internal:5432/sluice";

    @TempDir
    Path dir;

    @Test
    void theEnvironmentWinsOverUserAndPasswordFile() throws IOException {
        SluiceConfig.StoreConfig store = postgres("from-config", passwordFile("from-file\n"));

        StoreFactory.Credentials credentials = StoreFactory.credentials(store,
                Map.of("SLUICE_STORE_USER", "from-env", "SLUICE_STORE_PASSWORD", "env-secret"));

        assertThat(credentials.user()).isEqualTo("from-env");
        assertThat(credentials.password()).isEqualTo("env-secret");
    }

    @Test
    void withoutTheEnvironmentThePasswordFileIsReadWithoutItsLastNewline() throws IOException {
        SluiceConfig.StoreConfig store = postgres("sluice", passwordFile("file secret \r\n"));

        StoreFactory.Credentials credentials = StoreFactory.credentials(store, Map.of());

        assertThat(credentials.user()).isEqualTo("sluice");
        assertThat(credentials.password()).isEqualTo("file secret ");
        assertThat(credentials.toString()).contains("sluice").doesNotContain("file secret");
    }

    @Test
    void anEmptyEnvironmentVariableDoesNotHideTheFile() throws IOException {
        SluiceConfig.StoreConfig store = postgres("sluice", passwordFile("file-secret"));

        assertThat(StoreFactory.credentials(store, Map.of("SLUICE_STORE_PASSWORD", "")).password())
                .isEqualTo("file-secret");
    }

    @Test
    void thePasswordFileIsNotReadWhenTheEnvironmentHasThePassword() {
        SluiceConfig.StoreConfig store = postgres("sluice", dir.resolve("absent").toString());

        assertThat(StoreFactory.credentials(store, Map.of("SLUICE_STORE_PASSWORD", "env-secret")).password())
                .isEqualTo("env-secret");
    }

    @Test
    void noPasswordAtAllLeavesItToTheDriver() {
        StoreFactory.Credentials credentials = StoreFactory.credentials(postgres(null, null), Map.of());

        assertThat(credentials.user()).isNull();
        assertThat(credentials.password()).isNull();
    }

    @Test
    void aMissingPasswordFileIsAnErrorNamingTheField() {
        Path missing = dir.resolve("nope");

        assertThatThrownBy(() -> StoreFactory.credentials(postgres("sluice", missing.toString()), Map.of()))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> {
                    SpecError error = e.errors().get(0);
                    assertThat(error.field()).isEqualTo("store.passwordFile");
                    assertThat(error.message()).contains("no such file", missing.toString());
                });
    }

    @Test
    void anUnreadableOrEmptyPasswordFileIsAnErrorNamingTheField() throws IOException {
        Path directory = Files.createDirectories(dir.resolve("a-directory"));
        assertThatThrownBy(() -> StoreFactory.credentials(postgres("sluice", directory.toString()), Map.of()))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.errors().get(0).describe())
                        .startsWith("store.passwordFile: cannot read " + directory));

        String empty = passwordFile("\n");
        assertThatThrownBy(() -> StoreFactory.credentials(postgres("sluice", empty), Map.of()))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.errors().get(0).describe())
                        .startsWith("store.passwordFile: is empty"));
    }

    @Test
    void aPasswordInTheUrlIsRefusedWithItsPlaceAndNotRepeated() throws IOException {
        Path file = dir.resolve("sluice.yaml");
        Files.writeString(file, """
                port: 0
                store:
                  type: postgres
                  url: jdbc:postgresql://db/sluice?user=app&password=hunter2
                """);

        assertThatThrownBy(() -> SluiceConfig.read(file))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> {
                    SpecError error = e.errors().get(0);
                    assertThat(error.field()).isEqualTo(file.toString());
                    assertThat(error.line()).isEqualTo(4);
                    assertThat(error.message()).startsWith("store.url: must not hold a password")
                            .contains("SLUICE_STORE_PASSWORD", "store.passwordFile");
                })
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void aUrlWithoutPasswordIsAccepted() throws IOException {
        Path file = dir.resolve("sluice.yaml");
        Files.writeString(file, """
                store:
                  type: postgres
                  url: %s?ssl=true
                  user: sluice
                  passwordFile: /run/secrets/sluice-db
                """.formatted(URL));

        SluiceConfig config = SluiceConfig.read(file);

        assertThat(config.store().passwordFile()).isEqualTo("/run/secrets/sluice-db");
        assertThat(StoreFactory.describe(config)).isEqualTo(Map.of("type", "postgres", "url", URL + "?ssl=true"));
    }

    @Test
    void theDefaultIsH2UnderTheDataDirectory() {
        SluiceConfig config = SluiceConfig.defaults().withDataDir(dir.toString());

        try (Store store = StoreFactory.open(config, Map.of("SLUICE_STORE_PASSWORD", "ignored"))) {
            assertThat(store.deployments().list(null)).isEmpty();
            assertThat(dir.resolve("db").resolve("sluice.mv.db")).isRegularFile();
        } finally {
            H2Databases.shutdown(dir.resolve("db"));
        }
        assertThat(StoreFactory.describe(config))
                .isEqualTo(Map.of("type", "h2", "url", "jdbc:h2:file:" + dir.resolve("db").resolve("sluice")));
    }

    @Test
    void theInfoUrlNeverShowsCredentials() {
        SluiceConfig config = SluiceConfig.defaults().withStore(
                new SluiceConfig.StoreConfig("postgres", URL + "?user=app&sslpassword=k3y", null, null));

        assertThat(StoreFactory.describe(config).get("url")).isEqualTo(URL);
    }

    private SluiceConfig.StoreConfig postgres(String user, String passwordFile) {
        return new SluiceConfig.StoreConfig("postgres", URL, user, passwordFile);
    }

    private String passwordFile(String content) throws IOException {
        Path file = Files.createTempFile(dir, "password", "");
        Files.writeString(file, content);
        return file.toString();
    }
}
