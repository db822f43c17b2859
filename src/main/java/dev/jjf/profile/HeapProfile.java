package dev.jjf.profile;

import java.nio.file.Path;
import java.util.List;

/**
 * A parsed jemalloc heap_v2 profile: its stacks and the process's memory map at dump time.
 *
 * @param samplePeriodBytes jemalloc's average sampling interval, 2^lg_prof_sample
 */
public record HeapProfile(Path source, long samplePeriodBytes, List<StackSample> samples, List<Mapping> mappings) {
}
