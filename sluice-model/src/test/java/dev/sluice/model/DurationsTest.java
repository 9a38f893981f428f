package dev.sluice.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest(name = "{0} = {1} ms")
    @CsvSource({
        "500ms, 500",
        "0ms, 0",
        "10s, 10000",
        "5min, 300000",
        "5m, 300000",
        "2h, 7200000",
        "1d, 86400000",
        "'10 s', 10000",
        "'  30s  ', 30000",
    })
    void parsesShortDurations(String text, long millis) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"soon", "10", "s", "1.5s", "-1s", "10S", "10sec", "10 seconds", "PT10S", "10s5ms", "1w"})
    void rejectsWhatIsNotAShortDuration(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'" + text + "' is not a duration such as 500ms, 10s, 5min, 2h");
    }

    @ParameterizedTest
    @NullAndEmptySource
    void rejectsNothing(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'" + text + "' is not a duration such as 500ms, 10s, 5min, 2h");
    }

    @Test
    void anAmountTooLargeForALongIsStillAnIllegalArgument() {
        // NumberFormatException is an IllegalArgumentException, so SpecParser turns it into a spec error; its message
        // ("For input string: ...") does not say what a duration looks like, though.
        assertThatThrownBy(() -> Durations.parse("99999999999999999999s")).isInstanceOf(IllegalArgumentException.class);
    }
}
