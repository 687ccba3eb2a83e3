/**
 * The admin console: server-rendered HTML pages (jte templates, precompiled at build time, every output escaped)
 * for admins and auditors, served by the same process at {@code /}. Handlers here are as thin as the API's: they
 * parse a form or query, call the same services, and render. Who may do what comes from the API's route table
 * ({@link dev.keyward.web.console.ConsoleRoute} names the API route each page or action mirrors), checked on the
 * server for every request; sessions are server-side ({@link dev.keyward.web.service.ConsoleSessions}), every POST
 * carries the session's CSRF token and must come from this origin, and every response carries a strict CSP.
 */
package dev.keyward.web.console;
