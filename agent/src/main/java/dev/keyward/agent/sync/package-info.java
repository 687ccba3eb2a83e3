/**
 * Desired state from the server (validated as a whole before anything is touched) and the authorized_keys
 * sync: report-only, managed and exclusive modes, the bulk-purge guard and break-glass keys.
 */
package dev.keyward.agent.sync;
