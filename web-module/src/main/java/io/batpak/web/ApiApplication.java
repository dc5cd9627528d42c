package io.batpak.web;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/**
 * The HTTP API v1 under {@code /api/v1}: appends, reads, queries, subscriptions and statistics of the
 * event store, as the contract in HTTP-API.md names them. Errors are RFC 9457 problems with a stable
 * {@code code}. Its OpenAPI document is served at {@code /openapi}. Every endpoint needs a bearer
 * token (MicroProfile JWT, see {@link AuthFilter}).
 */
@ApplicationPath("/api/v1")
public class ApiApplication extends Application {
}
