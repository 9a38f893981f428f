package dev.sluice.control.store;

import org.jdbi.v3.core.Handle;

/**
 * One transaction of the metadata store, handed to the work {@link Store#inTransaction} runs: the writes given it
 * commit together. Opaque outside the store, so that no caller depends on the database library.
 */
public final class Tx {
    final Handle handle;

    Tx(Handle handle) {
        this.handle = handle;
    }
}
