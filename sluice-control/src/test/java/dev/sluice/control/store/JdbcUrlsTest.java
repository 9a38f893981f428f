package dev.sluice.control.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JdbcUrlsTest {
    @Test
    void credentialsAreLeftOutAndTheRestKept() {
        assertThat(JdbcUrls.withoutCredentials("jdbc:postgresql://db:5432/sluice"))
                .isEqualTo("jdbc:postgresql://db:5432/sluice");
        assertThat(JdbcUrls.withoutCredentials("jdbc:postgresql://db/sluice?user=app&password=s3cret"))
                .isEqualTo("jdbc:postgresql://db/sluice");
        assertThat(JdbcUrls.withoutCredentials(
                "jdbc:postgresql://db/sluice?ssl=true&PASSWORD=s3cret&sslpassword=k3y&sslmode=verify-full"))
                .isEqualTo("jdbc:postgresql://db/sluice?ssl=true&sslmode=verify-full");
    }

    @Test
    void aPasswordParameterIsFoundWhateverItsCase() {
        assertThat(JdbcUrls.hasPassword("jdbc:postgresql://db/sluice?user=app&password=s3cret")).isTrue();
        assertThat(JdbcUrls.hasPassword("jdbc:postgresql://db/sluice?Password=")).isTrue();
        assertThat(JdbcUrls.hasPassword("jdbc:postgresql://db/sluice?sslpassword=k3y")).isTrue();
        assertThat(JdbcUrls.hasPassword("jdbc:postgresql://db/sluice?user=app")).isFalse();
        assertThat(JdbcUrls.hasPassword("jdbc:postgresql://db/password")).isFalse();
    }
}
