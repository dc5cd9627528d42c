package io.batpak.web;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** The HTTP API v1 (see docs/HTTP-API contract) under {@code /api/v1}. */
@ApplicationPath("/api/v1")
public class ApiApplication extends Application {
}
