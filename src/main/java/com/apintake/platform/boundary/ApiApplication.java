package com.apintake.platform.boundary;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** Every REST resource of ap-intake lives under /api/v1. Health and metrics are served by the server at the root. */
@ApplicationPath("api/v1")
public class ApiApplication extends Application {}
