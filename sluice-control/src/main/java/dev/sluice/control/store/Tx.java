package dev.sluice.control.store;

/**
 * One transaction of the metadata store, handed to the work {@link Store#inTransaction} runs: the writes given it
 * commit together. Opaque: each adapter has its own (JDBI's handle stays inside {@link SqlStore}).
 */
public interface Tx {
}
