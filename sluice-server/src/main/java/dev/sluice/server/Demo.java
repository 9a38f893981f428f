package dev.sluice.server;

import dev.sluice.control.lifecycle.ApplyResult;
import dev.sluice.control.lifecycle.DeploymentService;
import dev.sluice.control.streams.StreamStorage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo of {@code sluice up --demo}: streams of synthetic ride requests in one city, a generator writing them, and
 * a stateful SQL pipeline counting requests and fares per geo cell per minute.
 */
public final class Demo implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Demo.class);
    public static final String REQUESTS = "ride-requests";
    public static final String DEMAND = "ride-demand";
    // Roughly San Francisco: a 10 km square.
    private static final double LAT = 37.70;
    private static final double LNG = -122.50;

    private final Thread generator;
    private volatile boolean running = true;

    private Demo(StreamStorage streams, int eventsPerSecond) {
        this.generator = new Thread(() -> generate(streams.bootstrapServers(), eventsPerSecond), "sluice-demo-generator");
        generator.setDaemon(true);
    }

    public static Demo start(StreamStorage streams, DeploymentService deployments, int eventsPerSecond) {
        streams.ensureTopic(REQUESTS, 2);
        streams.ensureTopic(DEMAND, 1);
        Demo demo = new Demo(streams, eventsPerSecond);
        demo.generator.start();
        ApplyResult result = deployments.apply(pipeline(), "default", "demo");
        LOG.info("demo: generator writes {} ride requests/s to {}; pipeline {} {} (output: {})", eventsPerSecond,
                REQUESTS, result.key(), result.outcome().name().toLowerCase(Locale.ROOT), DEMAND);
        return demo;
    }

    /** The demo pipeline's YAML document. */
    public static String pipeline() {
        try (InputStream in = Demo.class.getResourceAsStream("demo/ride-demand.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void generate(String bootstrapServers, int eventsPerSecond) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        Random random = new Random();
        long pauseNanos = 1_000_000_000L / Math.max(1, eventsPerSecond);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            long next = System.nanoTime();
            while (running) {
                String rider = "rider-" + random.nextInt(500);
                // Demand clusters around a few hot spots, like real cities.
                double lat = LAT + (random.nextInt(4) * 0.02) + random.nextGaussian() * 0.005;
                double lng = LNG + (random.nextInt(4) * 0.03) + random.nextGaussian() * 0.005;
                double fare = Math.round((5 + Math.abs(random.nextGaussian()) * 15) * 100) / 100.0;
                String json = String.format(Locale.ROOT,
                        "{\"ride_id\":\"%s\",\"rider_id\":\"%s\",\"lat\":%.5f,\"lng\":%.5f,\"fare\":%.2f,\"event_time\":%d}",
                        UUID.randomUUID(), rider, lat, lng, fare, System.currentTimeMillis());
                producer.send(new ProducerRecord<>(REQUESTS, rider, json));
                next += pauseNanos;
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("demo generator stopped: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        running = false;
        generator.interrupt();
    }
}
