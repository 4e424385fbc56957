package dev.asyncjobs.store.memory.internal;

import java.util.Iterator;
import java.util.Map;
import java.util.NavigableSet;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The due jobs of several types in claim order ({@link Keys#READY_ORDER}), read without taking
 * them: a merge of each type's ready set. Weakly consistent, like the sets it reads: a job taken
 * meanwhile may still come up (the claim checks again under the job's lock).
 */
public final class ReadyMerge implements Iterator<Keys.Ready> {
  private final PriorityQueue<Head> heads = new PriorityQueue<>((a, b) -> Keys.READY_ORDER.compare(a.key, b.key));

  private static final class Head {
    final Iterator<Keys.Ready> rest;
    Keys.Ready key;

    Head(Iterator<Keys.Ready> rest, Keys.Ready key) {
      this.rest = rest;
      this.key = key;
    }
  }

  private ReadyMerge(Set<String> types, Map<String, NavigableSet<Keys.Ready>> readyByType) {
    for (String type : types) {
      NavigableSet<Keys.Ready> set = readyByType.get(type);
      if (set != null) {
        Iterator<Keys.Ready> it = set.iterator();
        if (it.hasNext()) {
          heads.add(new Head(it, it.next()));
        }
      }
    }
  }

  /** {@return the due jobs of {@code types}, first in claim order first} */
  public static ReadyMerge of(Set<String> types, Map<String, NavigableSet<Keys.Ready>> readyByType) {
    return new ReadyMerge(types, readyByType);
  }

  @Override
  public boolean hasNext() {
    return !heads.isEmpty();
  }

  @Override
  public Keys.Ready next() {
    Head head = heads.poll();
    if (head == null) {
      throw new NoSuchElementException();
    }
    Keys.Ready key = head.key;
    if (head.rest.hasNext()) {
      head.key = head.rest.next();
      heads.add(head);
    }
    return key;
  }
}
