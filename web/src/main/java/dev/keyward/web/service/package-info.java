/**
 * The server's operations (issue, revoke, build the KRL, manage tokens, read and verify the audit log). Each
 * public method is one unit of work that owns its transaction and records its audit entry in that transaction.
 * Handlers call exactly one of these.
 */
package dev.keyward.web.service;
