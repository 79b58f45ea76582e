/* The physical limit on this machine: the neurohelpers kernels' numerics as
 * plain C loops (compiled with cc -O3 -march=native, strict IEEE).
 *
 * usage: limit MODEL N STEPS DT LO HI T_ON T_OFF REPEATS
 *   MODEL: lif_exact | lif_euler_2020 | izh_rk4 | izh_euler | hh_rk4
 *   neuron j gets a pulse of amplitude LO + (HI - LO) * j / (N - 1) for
 *   T_ON <= t < T_OFF (ms); the input is generated on the fly.
 * prints: seconds=<best kernel time> spikes=<total spike count>
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static double amplitude(long j, long n, double lo, double hi) {
    return n > 1 ? lo + (hi - lo) * (double)j / (double)(n - 1) : lo;
}

static int pulse_on(long k, double dt, double t_on, double t_off) {
    double t = k * dt, tol = 1e-9 * (t > 1.0 ? t : 1.0);
    return t >= t_on - tol && t < t_off - tol;
}

/* LIF, exact update with sub-step spikes and refractory period (C=1, R=10, -65/-50/-65, 2 ms) */
static long lif_exact(long n, long steps, double dt, double lo, double hi, double t_on, double t_off) {
    const double C = 1.0, R = 10.0, V_rest = -65.0, V_th = -50.0, V_reset = -65.0, t_ref = 2.0;
    const double tau = R * C, decay_dt = exp(-dt / tau);
    long total = 0;
    for (long j = 0; j < n; j++) {
        double V = V_rest, ref = 0.0, amp = amplitude(j, n, lo, hi);
        for (long k = 0; k < steps; k++) {
            double I = pulse_on(k, dt, t_on, t_off) ? amp : 0.0, left = dt;
            while (left > 0.0) {
                if (ref > 0.0) {
                    V = V_reset;
                    if (ref >= left) { ref -= left; break; }
                    left -= ref; ref = 0.0;
                }
                double s;
                if (V >= V_th) {
                    s = 0.0;
                } else {
                    double V_inf = V_rest + R * I;
                    double decay = left == dt ? decay_dt : exp(-left / tau);
                    double V_end = V_inf + (V - V_inf) * decay;
                    if (V_end < V_th) { V = V_end; break; }
                    s = tau * log((V_inf - V) / (V_inf - V_th));
                    s = s < 0.0 ? 0.0 : (s > left ? left : s);
                }
                total++;
                V = V_reset; ref = t_ref; left -= s;
            }
        }
    }
    return total;
}

/* LIF, forward Euler, the 2020 f-I configuration (C=0.003, R=5, V_th=+30, no t_ref) */
static long lif_euler_2020(long n, long steps, double dt, double lo, double hi, double t_on, double t_off) {
    const double C = 0.003, g = 1.0 / 5.0, V_rest = -65.0, V_th = 30.0, V_reset = -65.0;
    long total = 0;
    for (long j = 0; j < n; j++) {
        double V = V_rest, amp = amplitude(j, n, lo, hi);
        for (long k = 0; k < steps; k++) {
            double I = pulse_on(k, dt, t_on, t_off) ? amp : 0.0;
            V = V + dt * (I - g * (V - V_rest)) / C;
            if (V >= V_th) { total++; V = V_reset; }
        }
    }
    return total;
}

static double dv(double v, double u, double I) { return 0.04 * v * v + 5.0 * v + 140.0 - u + I; }

static void izh_rk4_step(double *v, double *u, double I, double a, double b, double h) {
    double v0 = *v, u0 = *u;
    double kv1 = dv(v0, u0, I), ku1 = a * (b * v0 - u0);
    double v2 = v0 + 0.5 * h * kv1, u2 = u0 + 0.5 * h * ku1;
    double kv2 = dv(v2, u2, I), ku2 = a * (b * v2 - u2);
    double v3 = v0 + 0.5 * h * kv2, u3 = u0 + 0.5 * h * ku2;
    double kv3 = dv(v3, u3, I), ku3 = a * (b * v3 - u3);
    double v4 = v0 + h * kv3, u4 = u0 + h * ku3;
    double kv4 = dv(v4, u4, I), ku4 = a * (b * v4 - u4);
    *v = v0 + h / 6.0 * (kv1 + 2.0 * kv2 + 2.0 * kv3 + kv4);
    *u = u0 + h / 6.0 * (ku1 + 2.0 * ku2 + 2.0 * ku3 + ku4);
}

/* Izhikevich RS (0.02, 0.2, -65, 8): RK4 with Newton spike timing, or the 2020 Euler scheme */
static long izhikevich(int use_rk4, long n, long steps, double dt, double lo, double hi, double t_on, double t_off) {
    const double a = 0.02, b = 0.2, c = -65.0, d = 8.0, v_peak = 30.0;
    long total = 0;
    for (long j = 0; j < n; j++) {
        double v = -65.0, u = b * v, amp = amplitude(j, n, lo, hi);
        for (long k = 0; k < steps; k++) {
            double I = pulse_on(k, dt, t_on, t_off) ? amp : 0.0;
            if (!use_rk4) {
                double v_new = v + dt * dv(v, u, I);
                u = u + dt * a * (b * v - u);
                v = v_new;
                if (v >= v_peak) { total++; v = c; u += d; }
                continue;
            }
            double left = dt;
            while (left > 0.0) {
                double s, u_hit;
                if (v >= v_peak) {
                    s = 0.0; u_hit = u;
                } else {
                    double v_end = v, u_end = u;
                    izh_rk4_step(&v_end, &u_end, I, a, b, left);
                    if (v_end < v_peak) { v = v_end; u = u_end; break; }
                    s = left * (v_peak - v) / (v_end - v);
                    u_hit = u;
                    for (int it = 0; it < 20; it++) {
                        double vs = v, us = u;
                        izh_rk4_step(&vs, &us, I, a, b, s);
                        u_hit = us;
                        double s_new = s - (vs - v_peak) / dv(vs, us, I);
                        s_new = s_new < 0.0 ? 0.0 : (s_new > left ? left : s_new);
                        if (fabs(s_new - s) <= 1e-14 * dt) { s = s_new; break; }
                        s = s_new;
                    }
                    double vs = v, us = u;
                    izh_rk4_step(&vs, &us, I, a, b, s);
                    u_hit = us;
                }
                total++;
                v = c; u = u_hit + d; left -= s;
            }
        }
    }
    return total;
}

/* Hodgkin-Huxley, modern convention: the same rate evaluation as the kernel
 * (one exp(-x/720) raised to integer powers), RK4, spikes = 0 mV crossings. */
static void rates(double V, double r[6]) {
    double x = V + 65.0, e720 = exp(-x / 720.0);
    double p2 = e720 * e720, p4 = p2 * p2, p8 = p4 * p4, p32 = p8 * p8;
    p32 *= p32;
    double e80 = p8 * e720, e20 = p32 * p4, e18 = p32 * p8, e10 = p32 * p32 * p8;
    double zm = -(V + 40.0) / 10.0, ezm = exp(2.5) * e10;
    double zn = -(V + 55.0) / 10.0, ezn = exp(1.0) * e10;
    r[0] = fabs(zm) < 1e-4 ? 1.0 - 0.5 * zm + zm * zm / 12.0 : zm / (ezm - 1.0);
    r[1] = 4.0 * e18;
    r[2] = 0.07 * e20;
    r[3] = 1.0 / (1.0 + exp(3.0) * e10);
    r[4] = 0.1 * (fabs(zn) < 1e-4 ? 1.0 - 0.5 * zn + zn * zn / 12.0 : zn / (ezn - 1.0));
    r[5] = 0.125 * e80;
}

static void hh_derivs(const double x[4], double I, double out[4]) {
    double r[6];
    rates(x[0], r);
    double m = x[1], h = x[2], nn = x[3];
    double i_ion = 120.0 * m * m * m * h * (x[0] - 50.0) + 36.0 * nn * nn * nn * nn * (x[0] + 77.0)
                   + 0.3 * (x[0] + 54.387);
    out[0] = I - i_ion;
    out[1] = r[0] * (1.0 - m) - r[1] * m;
    out[2] = r[2] * (1.0 - h) - r[3] * h;
    out[3] = r[4] * (1.0 - nn) - r[5] * nn;
}

static long hh_rk4(long n, long steps, double dt, double lo, double hi, double t_on, double t_off) {
    const double rest[4] = {-64.9963793311922, 0.052955086813007535, 0.5959941247398676, 0.31773239976086504};
    long total = 0;
    for (long j = 0; j < n; j++) {
        double x[4], k1[4], k2[4], k3[4], k4[4], y[4], amp = amplitude(j, n, lo, hi);
        memcpy(x, rest, sizeof x);
        for (long k = 0; k < steps; k++) {
            double I = pulse_on(k, dt, t_on, t_off) ? amp : 0.0, V_old = x[0];
            hh_derivs(x, I, k1);
            for (int i = 0; i < 4; i++) y[i] = x[i] + 0.5 * dt * k1[i];
            hh_derivs(y, I, k2);
            for (int i = 0; i < 4; i++) y[i] = x[i] + 0.5 * dt * k2[i];
            hh_derivs(y, I, k3);
            for (int i = 0; i < 4; i++) y[i] = x[i] + dt * k3[i];
            hh_derivs(y, I, k4);
            for (int i = 0; i < 4; i++) x[i] += dt / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
            if (V_old < 0.0 && x[0] >= 0.0) total++;
        }
    }
    return total;
}

int main(int argc, char **argv) {
    if (argc != 10) {
        fprintf(stderr, "usage: %s MODEL N STEPS DT LO HI T_ON T_OFF REPEATS\n", argv[0]);
        return 2;
    }
    const char *model = argv[1];
    long n = atol(argv[2]), steps = atol(argv[3]);
    double dt = atof(argv[4]), lo = atof(argv[5]), hi = atof(argv[6]);
    double t_on = atof(argv[7]), t_off = atof(argv[8]);
    int repeats = atoi(argv[9]);
    double best = 1e300;
    long spikes = -1;
    for (int r = 0; r < repeats; r++) {
        double t0 = now();
        if (!strcmp(model, "lif_exact")) spikes = lif_exact(n, steps, dt, lo, hi, t_on, t_off);
        else if (!strcmp(model, "lif_euler_2020")) spikes = lif_euler_2020(n, steps, dt, lo, hi, t_on, t_off);
        else if (!strcmp(model, "izh_rk4")) spikes = izhikevich(1, n, steps, dt, lo, hi, t_on, t_off);
        else if (!strcmp(model, "izh_euler")) spikes = izhikevich(0, n, steps, dt, lo, hi, t_on, t_off);
        else if (!strcmp(model, "hh_rk4")) spikes = hh_rk4(n, steps, dt, lo, hi, t_on, t_off);
        else { fprintf(stderr, "unknown model %s\n", model); return 2; }
        double elapsed = now() - t0;
        if (elapsed < best) best = elapsed;
    }
    printf("seconds=%.9f spikes=%ld\n", best, spikes);
    return 0;
}
