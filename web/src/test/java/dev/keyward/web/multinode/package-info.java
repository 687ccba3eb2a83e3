/**
 * Several {@code keyward-server} processes on one PostgreSQL database: serials, the KRL version and the audit
 * chain must come from the database, not from any one process's memory.
 */
package dev.keyward.web.multinode;
