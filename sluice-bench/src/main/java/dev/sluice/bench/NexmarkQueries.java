package dev.sluice.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Nexmark's schema (bids, auctions, persons) as bounded datagen tables of random values, and queries q0, q5, q8 and q11
 * over it, written here after the benchmark's published query semantics. Each source is a single subtask whose event
 * time is the wall clock at generation (so it rises steadily) and everything downstream runs at the job's
 * parallelism; results go to blackhole sinks. (A datagen sequence would give event times of its own, but Flink's
 * sequence generator checkpoints every number it has still to emit, which would make the benchmark one of
 * checkpointing.)
 */
final class NexmarkQueries {
    private NexmarkQueries() {}

    private static String bid(long events) {
        return """
                CREATE TABLE bid (
                  id BIGINT, auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, url STRING, extra STRING,
                  `dateTime` AS CAST(CURRENT_TIMESTAMP AS TIMESTAMP(3)),
                  WATERMARK FOR `dateTime` AS `dateTime` - INTERVAL '4' SECOND
                ) WITH (
                  'connector' = 'datagen', 'scan.parallelism' = '1', 'rows-per-second' = '1000000000',
                  'number-of-rows' = '%d', 'fields.id.min' = '1', 'fields.id.max' = '1000000000',
                  'fields.auction.min' = '1000', 'fields.auction.max' = '11000',
                  'fields.bidder.min' = '1', 'fields.bidder.max' = '10000',
                  'fields.price.min' = '1', 'fields.price.max' = '10000',
                  'fields.channel.length' = '8', 'fields.url.length' = '24', 'fields.extra.length' = '24'
                );
                """.formatted(events);
    }

    private static String person(long events) {
        return """
                CREATE TABLE person (
                  id BIGINT, name STRING, emailAddress STRING, creditCard STRING, city STRING, state STRING,
                  extra STRING,
                  `dateTime` AS CAST(CURRENT_TIMESTAMP AS TIMESTAMP(3)),
                  WATERMARK FOR `dateTime` AS `dateTime` - INTERVAL '4' SECOND
                ) WITH (
                  'connector' = 'datagen', 'scan.parallelism' = '1', 'rows-per-second' = '1000000000',
                  'number-of-rows' = '%d', 'fields.id.min' = '1', 'fields.id.max' = '1000000000',
                  'fields.name.length' = '12', 'fields.emailAddress.length' = '16', 'fields.creditCard.length' = '16',
                  'fields.city.length' = '8', 'fields.state.length' = '2', 'fields.extra.length' = '24'
                );
                """.formatted(events);
    }

    private static String auction(long events) {
        return """
                CREATE TABLE auction (
                  id BIGINT, itemName STRING, description STRING, initialBid BIGINT, reserve BIGINT, seller BIGINT,
                  category BIGINT, extra STRING,
                  `dateTime` AS CAST(CURRENT_TIMESTAMP AS TIMESTAMP(3)),
                  WATERMARK FOR `dateTime` AS `dateTime` - INTERVAL '4' SECOND
                ) WITH (
                  'connector' = 'datagen', 'scan.parallelism' = '1', 'rows-per-second' = '1000000000',
                  'number-of-rows' = '%d', 'fields.id.min' = '1', 'fields.id.max' = '1000000000',
                  'fields.seller.min' = '1', 'fields.seller.max' = '%d',
                  'fields.category.min' = '10', 'fields.category.max' = '20',
                  'fields.itemName.length' = '12', 'fields.description.length' = '24', 'fields.extra.length' = '24'
                );
                """.formatted(events, events);
    }

    /** The SQL script of each query over {@code events} events (bids; persons and auctions for q8). */
    static Map<String, String> scripts(long events) {
        Map<String, String> scripts = new LinkedHashMap<>();
        scripts.put("q0", bid(events) + """
                CREATE TABLE out0 (auction BIGINT, bidder BIGINT, price BIGINT, `dateTime` TIMESTAMP(3), extra STRING)
                  WITH ('connector' = 'blackhole');
                INSERT INTO out0 SELECT auction, bidder, price, `dateTime`, extra FROM bid;
                """);
        scripts.put("q5", bid(events) + """
                CREATE TABLE out5 (auction BIGINT, num BIGINT) WITH ('connector' = 'blackhole');
                INSERT INTO out5
                SELECT AuctionBids.auction, AuctionBids.num
                FROM (
                  SELECT auction, COUNT(*) AS num, window_start AS starttime, window_end AS endtime
                  FROM TABLE(HOP(TABLE bid, DESCRIPTOR(`dateTime`), INTERVAL '2' SECOND, INTERVAL '10' SECOND))
                  GROUP BY auction, window_start, window_end
                ) AS AuctionBids
                JOIN (
                  SELECT MAX(CountBids.num) AS maxn, CountBids.starttime, CountBids.endtime
                  FROM (
                    SELECT COUNT(*) AS num, window_start AS starttime, window_end AS endtime
                    FROM TABLE(HOP(TABLE bid, DESCRIPTOR(`dateTime`), INTERVAL '2' SECOND, INTERVAL '10' SECOND))
                    GROUP BY auction, window_start, window_end
                  ) AS CountBids
                  GROUP BY CountBids.starttime, CountBids.endtime
                ) AS MaxBids
                ON AuctionBids.starttime = MaxBids.starttime AND AuctionBids.endtime = MaxBids.endtime
                  AND AuctionBids.num >= MaxBids.maxn;
                """);
        scripts.put("q8", person(events / 4) + auction(events / 4) + """
                CREATE TABLE out8 (id BIGINT, name STRING, starttime TIMESTAMP(3)) WITH ('connector' = 'blackhole');
                INSERT INTO out8
                SELECT P.id, P.name, P.starttime
                FROM (
                  SELECT id, name, window_start AS starttime, window_end AS endtime
                  FROM TABLE(TUMBLE(TABLE person, DESCRIPTOR(`dateTime`), INTERVAL '10' SECOND))
                  GROUP BY id, name, window_start, window_end
                ) P
                JOIN (
                  SELECT seller, window_start AS starttime, window_end AS endtime
                  FROM TABLE(TUMBLE(TABLE auction, DESCRIPTOR(`dateTime`), INTERVAL '10' SECOND))
                  GROUP BY seller, window_start, window_end
                ) A
                ON P.id = A.seller AND P.starttime = A.starttime AND P.endtime = A.endtime;
                """);
        scripts.put("q11", bid(events) + """
                CREATE TABLE out11 (bidder BIGINT, bid_count BIGINT, starttime TIMESTAMP(3), endtime TIMESTAMP(3))
                  WITH ('connector' = 'blackhole');
                INSERT INTO out11
                SELECT B.bidder, COUNT(*) AS bid_count,
                  SESSION_START(B.`dateTime`, INTERVAL '10' SECOND) AS starttime,
                  SESSION_END(B.`dateTime`, INTERVAL '10' SECOND) AS endtime
                FROM bid B
                GROUP BY B.bidder, SESSION(B.`dateTime`, INTERVAL '10' SECOND);
                """);
        return scripts;
    }
}
