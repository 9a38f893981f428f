package dev.sluice.engine.flink.testjob;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/** A jar pipeline for tests: counts a slow sequence per key in keyed state, with stable operator uids. */
public final class CountingJob {
    private CountingJob() {}

    public static void main(String[] args) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.fromSequence(0, Long.MAX_VALUE).uid("numbers")
                .map(CountingJob::pace).uid("pace") // chained to the source: no buffers fill up behind it
                .keyBy(v -> v % 7)
                .map(new Count()).uid("count")
                .sinkTo(new DiscardingSink<>()).uid("discard");
        env.execute(args.length > 0 ? args[0] : "counting");
    }

    /** Slows the sequence down so the job idles instead of burning a core. */
    static Long pace(Long value) throws InterruptedException {
        Thread.sleep(5);
        return value;
    }

    /** Keeps a count per key. */
    static final class Count extends RichMapFunction<Long, Long> {
        private transient ValueState<Long> count;

        @Override
        public void open(OpenContext context) {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Long.class));
        }

        @Override
        public Long map(Long value) throws Exception {
            long n = count.value() == null ? 1 : count.value() + 1;
            count.update(n);
            return n;
        }
    }
}
