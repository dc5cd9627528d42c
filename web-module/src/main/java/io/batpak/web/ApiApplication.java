package io.batpak.web;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/**
 * The HTTP API v1 under {@code /api/v1}: appends, reads, queries, subscriptions and statistics of the
 * event store, as the contract in HTTP-API.md names them. Errors are RFC 9457 problems with a stable
 * {@code code}. Its OpenAPI document is served at {@code /openapi}. Every endpoint needs a bearer
 * token (MicroProfile JWT, see {@link AuthFilter}).
 */
@ApplicationPath("/api/v1")
@OpenAPIDefinition(info = @Info(title = "batpak event store", version = "1",
        description = "Append-only, coordinate-addressed event log with per-entity hash chains. Appends are durable"
                + " (fsynced) before they are answered; errors are application/problem+json with a stable code."),
        security = @SecurityRequirement(name = "bearer"))
@SecurityScheme(securitySchemeName = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer", bearerFormat = "JWT",
        description = "MicroProfile JWT; roles in groups (reader, writer, admin), grants in batpak_scopes")
public class ApiApplication extends Application {
}
