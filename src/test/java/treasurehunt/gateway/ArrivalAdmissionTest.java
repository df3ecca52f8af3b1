package treasurehunt.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Arrivals paced only while players already in wait for their location acks. */
class ArrivalAdmissionTest {

  static final long SECOND = 1_000_000_000L;

  @Test
  void aQuietNodeAdmitsEveryArrivalAtOnce() {
    LocationAdmission load = new LocationAdmission(1000, 1000);
    ArrivalAdmission arrivals = new ArrivalAdmission(load, 64, 10, 10, 1000, 0);
    for (int i = 0; i < 10_000; i++) assertEquals(0, arrivals.tryAdmit(0), "arrival " + i);
    assertFalse(arrivals.busy());
  }

  @Test
  void aBusyNodeAdmitsTheBurstThenTheRateAndSaysWhenToComeBack() {
    LocationAdmission load = new LocationAdmission(1000, 1000);
    for (int i = 0; i < 64; i++) assertTrue(load.tryAdmit());
    ArrivalAdmission arrivals = new ArrivalAdmission(load, 64, 10, 5, 200, 0);
    assertTrue(arrivals.busy());
    int admitted = 0;
    for (int i = 0; i < 100; i++) if (arrivals.tryAdmit(0) == 0) admitted++;
    assertEquals(5, admitted, "the burst, then nothing in the same instant");
    long retry = arrivals.tryAdmit(0);
    assertTrue(retry >= 200, "at least the minimum retry: " + retry);

    admitted = 0;
    for (long t = 0; t < 10 * SECOND; t += SECOND / 100) if (arrivals.tryAdmit(t) == 0) admitted++;
    assertTrue(admitted >= 99 && admitted <= 101, "10 a second for 10 s: " + admitted);

    load.done(64); // the players already in are answered again: arrivals flow freely
    assertFalse(arrivals.busy());
    for (int i = 0; i < 1000; i++) assertEquals(0, arrivals.tryAdmit(10 * SECOND));
  }

  @Test
  void zeroTurnsThePacingOff() {
    LocationAdmission load = new LocationAdmission(1000, 1000);
    for (int i = 0; i < 500; i++) load.tryAdmit();
    ArrivalAdmission arrivals = new ArrivalAdmission(load, 0, 1, 1, 1000, 0);
    for (int i = 0; i < 1000; i++) assertEquals(0, arrivals.tryAdmit(0));
  }
}
