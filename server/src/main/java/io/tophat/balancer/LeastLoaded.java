package io.tophat.balancer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * The report's future work: a new producer goes to the worker with the lowest reported load (heartbeats per
 * second, rounded to whole heartbeats), then the fewest producers held; ties are broken round robin.
 */
public final class LeastLoaded implements AssignmentStrategy {
    private final RoundRobin tieBreak = new RoundRobin();

    @Override
    public Member choose(String producer, List<Member> candidates, ToIntFunction<String> held) {
        List<Member> best = new ArrayList<>();
        long bestRate = Long.MAX_VALUE;
        int bestHeld = Integer.MAX_VALUE;
        for (Member m : candidates) {
            long rate = Math.round(m.load().heartbeatsPerSecond());
            int h = held.applyAsInt(m.id());
            if (rate < bestRate || (rate == bestRate && h < bestHeld)) {
                best.clear();
                bestRate = rate;
                bestHeld = h;
            }
            if (rate == bestRate && h == bestHeld) {
                best.add(m);
            }
        }
        return tieBreak.choose(producer, best, held);
    }

    @Override
    public String name() {
        return "least-loaded";
    }
}
