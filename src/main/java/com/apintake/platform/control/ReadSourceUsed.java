package com.apintake.platform.control;

import jakarta.enterprise.context.RequestScoped;

/** The source of this request's reads (replica or primary); primary wins when a request used both. */
@RequestScoped
public class ReadSourceUsed {

    private String source;

    public void source(String used) {
        if (source == null || ReplicaState.State.PRIMARY.equals(used)) {
            source = used;
        }
    }

    public String source() {
        return source;
    }
}
