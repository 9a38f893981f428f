package dev.sluice.app.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.clients.consumer.RetriableCommitFailedException;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.message.SimpleMessage;
import org.junit.jupiter.api.Test;

class RetriableCommitFilterTest {
    private final RetriableCommitFilter filter = RetriableCommitFilter.create();

    private static Log4jLogEvent warning(Throwable thrown) {
        return Log4jLogEvent.newBuilder().setLevel(Level.WARN).setLoggerName("KafkaSourceReader")
                .setMessage(new SimpleMessage("Failed to commit consumer offsets for checkpoint 1")).setThrown(thrown)
                .build();
    }

    @Test
    void dropsRetriableCommitFailuresOnlyAndKeepsEveryOtherWarning() {
        assertThat(filter.filter(warning(new RetriableCommitFailedException(new CoordinatorNotAvailableException("x")))))
                .isEqualTo(Filter.Result.DENY);
        assertThat(filter.filter(warning(new RuntimeException(new RetriableCommitFailedException("wrapped")))))
                .isEqualTo(Filter.Result.DENY);
        assertThat(filter.filter(warning(new GroupAuthorizationException("no rights to the group"))))
                .isEqualTo(Filter.Result.NEUTRAL);
        assertThat(filter.filter(warning(null))).isEqualTo(Filter.Result.NEUTRAL);
    }
}
