package com.apintake.monitoring.control;

import com.apintake.monitoring.entity.Recommendation;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Recommendations of the settings topic: every server setting {@link ServerSettings} does not judge ok, with its postgresql.conf line. */
@ApplicationScoped
public class SettingsRecommendations {

    @Inject
    ServerSettings settings;

    public List<Recommendation> find() {
        return settings.report().settings().stream()
                .filter(a -> !a.status().equals("ok"))
                .map(a -> {
                    Map<String, Object> evidence = new LinkedHashMap<>();
                    evidence.put("current", a.current());
                    evidence.put("recommended", a.recommended());
                    evidence.put("reason", a.reason());
                    return new Recommendation(
                            "setting", a.status(), a.name(), evidence, "postgresql.conf", a.postgresqlConf());
                })
                .toList();
    }
}
