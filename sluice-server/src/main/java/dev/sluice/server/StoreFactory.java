package dev.sluice.server;

import dev.sluice.control.store.JdbcUrls;
import dev.sluice.control.store.SqlStore;
import dev.sluice.control.store.Store;
import dev.sluice.model.InvalidSpecException;
import dev.sluice.model.SpecError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the metadata store {@code sluice.yaml} names: H2 under the data directory (the default) or PostgreSQL, with
 * its credentials from the environment or a password file, never from the config's values.
 */
public final class StoreFactory {
    static final String USER_ENV = "SLUICE_STORE_USER";
    static final String PASSWORD_ENV = "SLUICE_STORE_PASSWORD";
    private static final Logger LOG = LoggerFactory.getLogger(StoreFactory.class);

    private StoreFactory() {}

    /** A database user and password; {@link #toString} never shows the password. */
    record Credentials(String user, String password) {
        @Override
        public String toString() {
            return "Credentials[user=" + user + ", password=" + (password == null ? "none" : "***") + "]";
        }
    }

    /** Opens (and migrates) the configured store; {@code env} is the process environment. */
    public static Store open(SluiceConfig config, Map<String, String> env) {
        SluiceConfig.StoreConfig store = config.store();
        if (!isPostgres(store)) {
            return SqlStore.h2(h2Directory(config));
        }
        Credentials credentials = credentials(store, env);
        LOG.info("Metadata store: PostgreSQL {} as {}", JdbcUrls.withoutCredentials(store.url()),
                credentials.user() == null ? "the driver's default user" : credentials.user());
        try {
            return SqlStore.postgresOwned(store.url(), credentials.user(), credentials.password());
        } catch (IllegalStateException e) {
            throw new IllegalStateException("metadata store " + JdbcUrls.withoutCredentials(store.url()) + ": "
                    + e.getMessage(), e);
        }
    }

    /** The user and password: each from the environment if set there, else from {@code user} and the password file. */
    static Credentials credentials(SluiceConfig.StoreConfig store, Map<String, String> env) {
        String user = nonEmpty(env.get(USER_ENV)) != null ? env.get(USER_ENV) : store.user();
        String password = nonEmpty(env.get(PASSWORD_ENV));
        if (password == null && store.passwordFile() != null) {
            password = readPasswordFile(Path.of(store.passwordFile()));
        }
        return new Credentials(user, password);
    }

    /** What {@code GET /api/v1/info} says about the store: its type and URL, without credentials. */
    static Map<String, Object> describe(SluiceConfig config) {
        Map<String, Object> info = new LinkedHashMap<>();
        if (isPostgres(config.store())) {
            info.put("type", "postgres");
            info.put("url", JdbcUrls.withoutCredentials(config.store().url()));
        } else {
            info.put("type", "h2");
            info.put("url", "jdbc:h2:file:" + h2Directory(config).resolve("sluice"));
        }
        return info;
    }

    private static boolean isPostgres(SluiceConfig.StoreConfig store) {
        return store != null && "postgres".equals(store.type());
    }

    private static Path h2Directory(SluiceConfig config) {
        return config.dataDirectory().resolve("db");
    }

    private static String readPasswordFile(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw passwordFileError("no such file: " + file.toAbsolutePath());
        } catch (IOException e) {
            throw passwordFileError("cannot read " + file.toAbsolutePath() + ": " + e.getMessage());
        }
        // Editors and `echo` end the file with a newline that is not part of the password.
        String password = text.replaceAll("[\r\n]+$", "");
        if (password.isEmpty()) {
            throw passwordFileError("is empty: " + file.toAbsolutePath());
        }
        return password;
    }

    private static InvalidSpecException passwordFileError(String message) {
        return new InvalidSpecException(new SpecError("store.passwordFile", 0, 0, message));
    }

    private static String nonEmpty(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
