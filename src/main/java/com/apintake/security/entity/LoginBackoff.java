package com.apintake.security.entity;

/**
 * How long logins stay refused after repeated failures: nothing below the threshold, then the base
 * delay doubling with every further failure, capped. Five wrong guesses cost a legitimate user a
 * second; a guesser trying thousands of passwords waits the cap between tries.
 *
 * @param threshold failures before the first delay
 * @param baseSeconds the first delay
 * @param maxSeconds the longest delay
 */
public record LoginBackoff(int threshold, long baseSeconds, long maxSeconds) {

    /** Seconds logins are refused after this many failures in a row (0 = not at all). */
    public long delaySeconds(int failures) {
        if (failures < threshold || threshold <= 0) {
            return 0;
        }
        int doublings = Math.min(failures - threshold, 40);
        return Math.min(maxSeconds, baseSeconds * (1L << doublings));
    }
}
