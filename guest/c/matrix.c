/* matrix.c - dense double and float linear algebra: matrix multiply (naive
 * and blocked), LU decomposition with partial pivoting, determinant, solve
 * and residual, Gauss-Jordan inverse, power iteration, and a small 2-D heat
 * stencil. Printed with %.17g / %a, so every bit of SSE arithmetic shows. */
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#define N 96
static double A[N][N], B[N][N], C[N][N], C2[N][N], LU[N][N];
static float Af[N][N], Bf[N][N], Cf[N][N];

static unsigned seed = 7;
static double frand(void)
{
    seed = seed * 1103515245u + 12345u;
    return ((seed >> 8) & 0xffff) / 65536.0 - 0.5;
}

int main(void)
{
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            A[i][j] = frand() + (i == j ? 4.0 : 0.0);
            B[i][j] = frand();
            Af[i][j] = (float)A[i][j];
            Bf[i][j] = (float)B[i][j];
        }
    /* naive multiply */
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            double s = 0;
            for (int k = 0; k < N; k++)
                s += A[i][k] * B[k][j];
            C[i][j] = s;
        }
    /* blocked multiply, different summation order */
    memset(C2, 0, sizeof C2);
    for (int ii = 0; ii < N; ii += 16)
        for (int kk = 0; kk < N; kk += 16)
            for (int i = ii; i < ii + 16; i++)
                for (int k = kk; k < kk + 16; k++) {
                    double a = A[i][k];
                    for (int j = 0; j < N; j++)
                        C2[i][j] += a * B[k][j];
                }
    double tr = 0, maxdiff = 0, fro = 0;
    for (int i = 0; i < N; i++) {
        tr += C[i][i];
        for (int j = 0; j < N; j++) {
            double d = fabs(C[i][j] - C2[i][j]);
            if (d > maxdiff)
                maxdiff = d;
            fro += C[i][j] * C[i][j];
        }
    }
    printf("matmul trace=%.17g frobenius^2=%.17g blocked maxdiff=%a\n", tr, fro, maxdiff);
    printf("C[0][0]=%a C[17][42]=%a C[95][95]=%a\n", C[0][0], C[17][42], C[N - 1][N - 1]);

    /* float multiply */
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            float s = 0;
            for (int k = 0; k < N; k++)
                s += Af[i][k] * Bf[k][j];
            Cf[i][j] = s;
        }
    float ftr = 0;
    for (int i = 0; i < N; i++)
        ftr += Cf[i][i];
    printf("float matmul trace=%.9g Cf[3][5]=%a\n", ftr, Cf[3][5]);

    /* LU with partial pivoting */
    memcpy(LU, A, sizeof LU);
    int perm[N], swaps = 0;
    for (int i = 0; i < N; i++)
        perm[i] = i;
    for (int k = 0; k < N; k++) {
        int p = k;
        for (int i = k + 1; i < N; i++)
            if (fabs(LU[i][k]) > fabs(LU[p][k]))
                p = i;
        if (p != k) {
            for (int j = 0; j < N; j++) {
                double t = LU[k][j]; LU[k][j] = LU[p][j]; LU[p][j] = t;
            }
            int t = perm[k]; perm[k] = perm[p]; perm[p] = t;
            swaps++;
        }
        for (int i = k + 1; i < N; i++) {
            LU[i][k] /= LU[k][k];
            for (int j = k + 1; j < N; j++)
                LU[i][j] -= LU[i][k] * LU[k][j];
        }
    }
    double logdet = 0;
    int sign = swaps & 1 ? -1 : 1;
    for (int i = 0; i < N; i++) {
        logdet += log(fabs(LU[i][i]));
        if (LU[i][i] < 0)
            sign = -sign;
    }
    printf("LU swaps=%d det sign=%d log|det|=%.17g\n", swaps, sign, logdet);

    /* solve A x = b with b = A * ones, residual */
    double b[N], x[N], y[N];
    for (int i = 0; i < N; i++) {
        b[i] = 0;
        for (int j = 0; j < N; j++)
            b[i] += A[i][j];
    }
    for (int i = 0; i < N; i++) {
        y[i] = b[perm[i]];
        for (int j = 0; j < i; j++)
            y[i] -= LU[i][j] * y[j];
    }
    for (int i = N - 1; i >= 0; i--) {
        x[i] = y[i];
        for (int j = i + 1; j < N; j++)
            x[i] -= LU[i][j] * x[j];
        x[i] /= LU[i][i];
    }
    double err = 0;
    for (int i = 0; i < N; i++)
        err = fmax(err, fabs(x[i] - 1.0));
    printf("solve max|x-1|=%a x[0]=%.17g x[50]=%.17g\n", err, x[0], x[50]);

    /* Gauss-Jordan inverse of a 12x12 Hilbert-like (well, shifted) matrix */
    enum { M = 12 };
    double H[M][2 * M];
    for (int i = 0; i < M; i++)
        for (int j = 0; j < 2 * M; j++)
            H[i][j] = j < M ? 1.0 / (i + j + 1) + (i == j) : (j - M == i);
    for (int c = 0; c < M; c++) {
        double piv = H[c][c];
        for (int j = 0; j < 2 * M; j++)
            H[c][j] /= piv;
        for (int i = 0; i < M; i++)
            if (i != c) {
                double f = H[i][c];
                for (int j = 0; j < 2 * M; j++)
                    H[i][j] -= f * H[c][j];
            }
    }
    double isum = 0;
    for (int i = 0; i < M; i++)
        for (int j = M; j < 2 * M; j++)
            isum += H[i][j];
    printf("inverse sum=%.17g inv[0][0]=%.17g inv[11][11]=%.17g\n", isum, H[0][M], H[M - 1][2 * M - 1]);

    /* power iteration for the dominant eigenvalue of A^T A (on 32x32) */
    double v[32], w[32], lambda = 0;
    for (int i = 0; i < 32; i++)
        v[i] = 1.0;
    for (int it = 0; it < 200; it++) {
        for (int i = 0; i < 32; i++) {
            w[i] = 0;
            for (int j = 0; j < 32; j++) {
                double s = 0;
                for (int k = 0; k < 32; k++)
                    s += A[k][i] * A[k][j];
                w[i] += s * v[j];
            }
        }
        double norm = 0;
        for (int i = 0; i < 32; i++)
            norm += w[i] * w[i];
        norm = sqrt(norm);
        lambda = norm;
        for (int i = 0; i < 32; i++)
            v[i] = w[i] / norm;
    }
    printf("power iteration lambda=%.17g v[0]=%.17g\n", lambda, v[0]);

    /* heat stencil */
    static double g[64][64], g2[64][64];
    g[32][32] = 1000.0;
    for (int step = 0; step < 200; step++) {
        for (int i = 1; i < 63; i++)
            for (int j = 1; j < 63; j++)
                g2[i][j] = g[i][j] + 0.2 * (g[i - 1][j] + g[i + 1][j] + g[i][j - 1] + g[i][j + 1] - 4 * g[i][j]);
        memcpy(g, g2, sizeof g);
    }
    double total = 0;
    for (int i = 0; i < 64; i++)
        for (int j = 0; j < 64; j++)
            total += g[i][j];
    printf("heat total=%.17g center=%.17g edge=%a\n", total, g[32][32], g[1][32]);
    return 0;
}
