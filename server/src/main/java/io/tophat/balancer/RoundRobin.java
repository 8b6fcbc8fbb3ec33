package io.tophat.balancer;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToIntFunction;

/** The report's strategy: each new producer goes to the next live worker in turn. */
public final class RoundRobin implements AssignmentStrategy {
    private final AtomicLong next = new AtomicLong();

    @Override
    public Member choose(String producer, List<Member> candidates, ToIntFunction<String> held) {
        return candidates.get((int) Math.floorMod(next.getAndIncrement(), (long) candidates.size()));
    }

    @Override
    public String name() {
        return "round-robin";
    }
}
