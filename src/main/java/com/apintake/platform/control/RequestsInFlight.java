package com.apintake.platform.control;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.Semaphore;

/**
 * The API requests running right now, read from the admission limit's slots (Admission): the slots taken
 * are the requests admitted and not yet answered. Costs the request path nothing (the semaphore is there
 * anyway); the pool-size estimate samples it to see how many request threads a bigger pool would let work.
 */
@ApplicationScoped
public class RequestsInFlight {

    private volatile Semaphore slots;
    private volatile int limit;

    /** Called once by the admission filter with its slots; a limit of 0 (admission off) leaves it unknown. */
    public void track(Semaphore slots, int limit) {
        this.limit = limit;
        this.slots = slots;
    }

    /** Requests admitted and running now, -1 when unknown (admission off, or no request seen yet). */
    public int now() {
        Semaphore current = slots;
        return current == null ? -1 : Math.max(0, limit - current.availablePermits());
    }
}
