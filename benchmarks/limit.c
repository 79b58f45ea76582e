/* The physical limit on this machine: the neurohelpers kernels' numerics as
 * plain C loops (compiled with cc -O3 -march=native -ffp-contract=off, strict IEEE: no FMA fusion).
 *
 * usage: limit MODEL N STEPS DT LO HI T_ON T_OFF REPEATS
 *   MODEL: lif_exact | lif_euler_2020 | izh_rk4 | izh_euler | hh_rk4 (scalar:
 *   neuron loop outside, steps inside) | izh_euler_vec | izh_rk4_vec |
 *   hh_rk4_vec (vectorisable: steps outside, neurons inside, SoA arrays)
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


/* ------------------------------------------------------------------------
 * The vectorisable form: structure of arrays, the time loop outside and a
 * branch-free loop over neurons inside (the compiler's SIMD), rare events
 * (spikes, resets, spike timing) in a second pass over the neurons. Same
 * arithmetic per neuron as the scalar loops above, so the same spike counts.
 * ------------------------------------------------------------------------ */

static double *alloc(long n) {
    double *p = aligned_alloc(64, ((n * sizeof(double) + 63) / 64) * 64);
    if (!p) { fprintf(stderr, "out of memory\n"); exit(1); }
    return p;
}

/* Izhikevich RS, the 2020 forward-Euler scheme */
static long izh_euler_vec(long n, long steps, double dt, double lo, double hi, double t_on, double t_off) {
    const double a = 0.02, b = 0.2, c = -65.0, d = 8.0, v_peak = 30.0;
    double *v = alloc(n), *u = alloc(n), *amp = alloc(n);
    for (long j = 0; j < n; j++) { v[j] = -65.0; u[j] = b * v[j]; amp[j] = amplitude(j, n, lo, hi); }
    long total = 0;
    for (long k = 0; k < steps; k++) {
        double on = pulse_on(k, dt, t_on, t_off) ? 1.0 : 0.0;
        long fired = 0;
        for (long j = 0; j < n; j++) {
            double vj = v[j], uj = u[j];
            double v_new = vj + dt * (0.04 * vj * vj + 5.0 * vj + 140.0 - uj + on * amp[j]);
            double u_new = uj + dt * a * (b * vj - uj);
            double u_reset = u_new + d; /* computed for every neuron: a select, not a branch */
            long spike = v_new >= v_peak;
            fired += spike;
            v[j] = spike ? c : v_new;
            u[j] = spike ? u_reset : u_new;
        }
        total += fired;
    }
    free(v); free(u); free(amp);
    return total;
}

/* Izhikevich RS, RK4 with Newton spike timing: a full trial step for every
 * neuron, then the neurons whose trial reached v_peak go through the scalar
 * spike-timing code of izhikevich() above. */
static long izh_rk4_vec(long n, long steps, double dt, double lo, double hi, double t_on, double t_off) {
    const double a = 0.02, b = 0.2, c = -65.0, d = 8.0, v_peak = 30.0;
    double *v = alloc(n), *u = alloc(n), *amp = alloc(n), *vt = alloc(n), *ut = alloc(n);
    for (long j = 0; j < n; j++) { v[j] = -65.0; u[j] = b * v[j]; amp[j] = amplitude(j, n, lo, hi); }
    long total = 0;
    const double h = dt;
    for (long k = 0; k < steps; k++) {
        double on = pulse_on(k, dt, t_on, t_off) ? 1.0 : 0.0;
        long hits = 0;
        for (long j = 0; j < n; j++) {
            double I = on * amp[j], v0 = v[j], u0 = u[j];
            double kv1 = 0.04 * v0 * v0 + 5.0 * v0 + 140.0 - u0 + I, ku1 = a * (b * v0 - u0);
            double v2 = v0 + 0.5 * h * kv1, u2 = u0 + 0.5 * h * ku1;
            double kv2 = 0.04 * v2 * v2 + 5.0 * v2 + 140.0 - u2 + I, ku2 = a * (b * v2 - u2);
            double v3 = v0 + 0.5 * h * kv2, u3 = u0 + 0.5 * h * ku2;
            double kv3 = 0.04 * v3 * v3 + 5.0 * v3 + 140.0 - u3 + I, ku3 = a * (b * v3 - u3);
            double v4 = v0 + h * kv3, u4 = u0 + h * ku3;
            double kv4 = 0.04 * v4 * v4 + 5.0 * v4 + 140.0 - u4 + I, ku4 = a * (b * v4 - u4);
            vt[j] = v0 + h / 6.0 * (kv1 + 2.0 * kv2 + 2.0 * kv3 + kv4);
            ut[j] = u0 + h / 6.0 * (ku1 + 2.0 * ku2 + 2.0 * ku3 + ku4);
            hits += (vt[j] >= v_peak) | (v0 >= v_peak);
        }
        if (hits == 0) {
            memcpy(v, vt, n * sizeof(double));
            memcpy(u, ut, n * sizeof(double));
            continue;
        }
        for (long j = 0; j < n; j++) {
            if (vt[j] < v_peak && v[j] < v_peak) { v[j] = vt[j]; u[j] = ut[j]; continue; }
            double I = on * amp[j], vv = v[j], uu = u[j], left = dt;
            while (left > 0.0) {
                double s, u_hit;
                if (vv >= v_peak) {
                    s = 0.0; u_hit = uu;
                } else {
                    double v_end = vv, u_end = uu;
                    izh_rk4_step(&v_end, &u_end, I, a, b, left);
                    if (v_end < v_peak) { vv = v_end; uu = u_end; break; }
                    s = left * (v_peak - vv) / (v_end - vv);
                    for (int it = 0; it < 20; it++) {
                        double vs = vv, us = uu;
                        izh_rk4_step(&vs, &us, I, a, b, s);
                        double s_new = s - (vs - v_peak) / dv(vs, us, I);
                        s_new = s_new < 0.0 ? 0.0 : (s_new > left ? left : s_new);
                        if (fabs(s_new - s) <= 1e-14 * dt) { s = s_new; break; }
                        s = s_new;
                    }
                    double vs = vv, us = uu;
                    izh_rk4_step(&vs, &us, I, a, b, s);
                    u_hit = us;
                }
                total++;
                vv = c; uu = u_hit + d; left -= s;
            }
            v[j] = vv; u[j] = uu;
        }
    }
    free(v); free(u); free(amp); free(vt); free(ut);
    return total;
}

/* Hodgkin-Huxley RK4: the same rates and stages as hh_rk4(), over arrays. */
static inline void hh_rhs_arrays(long n, const double *V, const double *m, const double *h, const double *nn,
                                 const double *I, double *dV, double *dm, double *dh, double *dn) {
    for (long j = 0; j < n; j++) {
        double x = V[j] + 65.0, e720 = exp(-x / 720.0);
        double p2 = e720 * e720, p4 = p2 * p2, p8 = p4 * p4, p16 = p8 * p8, p32 = p16 * p16;
        double e80 = p8 * e720, e20 = p32 * p4, e18 = p32 * p8, e10 = p32 * p32 * p8;
        double zm = -(V[j] + 40.0) / 10.0, ezm = exp(2.5) * e10;
        double zn = -(V[j] + 55.0) / 10.0, ezn = exp(1.0) * e10;
        double am = fabs(zm) < 1e-4 ? 1.0 - 0.5 * zm + zm * zm / 12.0 : zm / (ezm - 1.0);
        double bm = 4.0 * e18, ah = 0.07 * e20, bh = 1.0 / (1.0 + exp(3.0) * e10);
        double an = 0.1 * (fabs(zn) < 1e-4 ? 1.0 - 0.5 * zn + zn * zn / 12.0 : zn / (ezn - 1.0));
        double bn = 0.125 * e80;
        double mj = m[j], hj = h[j], nj = nn[j];
        double i_ion = 120.0 * mj * mj * mj * hj * (V[j] - 50.0) + 36.0 * nj * nj * nj * nj * (V[j] + 77.0)
                       + 0.3 * (V[j] + 54.387);
        dV[j] = I[j] - i_ion;
        dm[j] = am * (1.0 - mj) - bm * mj;
        dh[j] = ah * (1.0 - hj) - bh * hj;
        dn[j] = an * (1.0 - nj) - bn * nj;
    }
}

static long hh_rk4_vec(long n, long steps, double dt, double lo, double hi, double t_on, double t_off) {
    const double rest[4] = {-64.9963793311922, 0.052955086813007535, 0.5959941247398676, 0.31773239976086504};
    double *x[4], *y[4], *k1[4], *k2[4], *k3[4], *k4[4];
    for (int i = 0; i < 4; i++) {
        x[i] = alloc(n); y[i] = alloc(n); k1[i] = alloc(n); k2[i] = alloc(n); k3[i] = alloc(n); k4[i] = alloc(n);
        for (long j = 0; j < n; j++) x[i][j] = rest[i];
    }
    double *amp = alloc(n), *I = alloc(n), *V_old = alloc(n);
    for (long j = 0; j < n; j++) amp[j] = amplitude(j, n, lo, hi);
    long total = 0;
    for (long k = 0; k < steps; k++) {
        double on = pulse_on(k, dt, t_on, t_off) ? 1.0 : 0.0;
        for (long j = 0; j < n; j++) { I[j] = on * amp[j]; V_old[j] = x[0][j]; }
        hh_rhs_arrays(n, x[0], x[1], x[2], x[3], I, k1[0], k1[1], k1[2], k1[3]);
        for (int i = 0; i < 4; i++) for (long j = 0; j < n; j++) y[i][j] = x[i][j] + 0.5 * dt * k1[i][j];
        hh_rhs_arrays(n, y[0], y[1], y[2], y[3], I, k2[0], k2[1], k2[2], k2[3]);
        for (int i = 0; i < 4; i++) for (long j = 0; j < n; j++) y[i][j] = x[i][j] + 0.5 * dt * k2[i][j];
        hh_rhs_arrays(n, y[0], y[1], y[2], y[3], I, k3[0], k3[1], k3[2], k3[3]);
        for (int i = 0; i < 4; i++) for (long j = 0; j < n; j++) y[i][j] = x[i][j] + dt * k3[i][j];
        hh_rhs_arrays(n, y[0], y[1], y[2], y[3], I, k4[0], k4[1], k4[2], k4[3]);
        for (int i = 0; i < 4; i++)
            for (long j = 0; j < n; j++)
                x[i][j] += dt / 6.0 * (k1[i][j] + 2.0 * k2[i][j] + 2.0 * k3[i][j] + k4[i][j]);
        long fired = 0;
        for (long j = 0; j < n; j++) fired += (V_old[j] < 0.0) & (x[0][j] >= 0.0);
        total += fired;
    }
    for (int i = 0; i < 4; i++) { free(x[i]); free(y[i]); free(k1[i]); free(k2[i]); free(k3[i]); free(k4[i]); }
    free(amp); free(I); free(V_old);
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
        else if (!strcmp(model, "izh_euler_vec")) spikes = izh_euler_vec(n, steps, dt, lo, hi, t_on, t_off);
        else if (!strcmp(model, "izh_rk4_vec")) spikes = izh_rk4_vec(n, steps, dt, lo, hi, t_on, t_off);
        else if (!strcmp(model, "hh_rk4_vec")) spikes = hh_rk4_vec(n, steps, dt, lo, hi, t_on, t_off);
        else { fprintf(stderr, "unknown model %s\n", model); return 2; }
        double elapsed = now() - t0;
        if (elapsed < best) best = elapsed;
    }
    printf("seconds=%.9f spikes=%ld\n", best, spikes);
    return 0;
}
