/**
 * The HTTP API (Javalin): a route table ({@link dev.keyward.web.http.Routes}) that says, per route, who may call
 * it and which handler serves it; thin handlers that parse, authenticate, call one service method and render;
 * errors as RFC 9457 {@code application/problem+json}. The same table renders {@code /openapi.json}.
 */
package dev.keyward.web.http;
