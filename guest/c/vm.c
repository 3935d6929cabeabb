/* vm.c - a small interpreter: a tokenizer + recursive-descent compiler for
 * a tiny expression/statement language that emits bytecode for a stack VM
 * with a switch dispatch loop; runs fib, primes, gcd, collatz and a nested
 * loop program and prints their output and instruction counts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <stdint.h>

enum op { PUSH, LOAD, STORE, ADD, SUB, MUL, DIV, MOD, LT, LE, EQ, NE, JMP, JZ, PRINT, HALT, NEG, NOT, AND, OR };
static const char *opnames[] = { "PUSH", "LOAD", "STORE", "ADD", "SUB", "MUL", "DIV", "MOD", "LT", "LE",
                                 "EQ", "NE", "JMP", "JZ", "PRINT", "HALT", "NEG", "NOT", "AND", "OR" };

static int64_t code[4096];
static int ncode;
static char vars[26];

/* ---- lexer */
static const char *src;
static char tok[32];
static int64_t tokval;
enum { T_EOF, T_NUM, T_ID, T_SYM };
static int toktype;

static void next(void)
{
    while (isspace((unsigned char)*src))
        src++;
    if (!*src) {
        toktype = T_EOF;
        tok[0] = 0;
        return;
    }
    if (isdigit((unsigned char)*src)) {
        tokval = 0;
        while (isdigit((unsigned char)*src))
            tokval = tokval * 10 + (*src++ - '0');
        toktype = T_NUM;
        return;
    }
    if (isalpha((unsigned char)*src)) {
        int n = 0;
        while (isalnum((unsigned char)*src) && n < 31)
            tok[n++] = *src++;
        tok[n] = 0;
        toktype = T_ID;
        return;
    }
    static const char *two[] = { "<=", "==", "!=", "&&", "||" };
    for (int i = 0; i < 5; i++)
        if (strncmp(src, two[i], 2) == 0) {
            memcpy(tok, two[i], 3);
            src += 2;
            toktype = T_SYM;
            return;
        }
    tok[0] = *src++;
    tok[1] = 0;
    toktype = T_SYM;
}
static int is(const char *s) { return toktype != T_EOF && toktype != T_NUM && strcmp(tok, s) == 0; }
static void expect(const char *s)
{
    if (!is(s)) {
        printf("parse error: expected %s got %s\n", s, tok);
        exit(1);
    }
    next();
}
static void emit(int64_t v) { code[ncode++] = v; }

static void expr(void);
static void primary(void)
{
    if (toktype == T_NUM) {
        emit(PUSH);
        emit(tokval);
        next();
    } else if (toktype == T_ID) {
        emit(LOAD);
        emit(tok[0] - 'a');
        next();
    } else if (is("(")) {
        next();
        expr();
        expect(")");
    } else if (is("-")) {
        next();
        primary();
        emit(NEG);
    } else if (is("!")) {
        next();
        primary();
        emit(NOT);
    } else {
        printf("parse error at %s\n", tok);
        exit(1);
    }
}
static void term(void)
{
    primary();
    for (;;) {
        int op = is("*") ? MUL : is("/") ? DIV : is("%") ? MOD : -1;
        if (op < 0)
            return;
        next();
        primary();
        emit(op);
    }
}
static void sum(void)
{
    term();
    for (;;) {
        int op = is("+") ? ADD : is("-") ? SUB : -1;
        if (op < 0)
            return;
        next();
        term();
        emit(op);
    }
}
static void cmp(void)
{
    sum();
    for (;;) {
        int op = is("<") ? LT : is("<=") ? LE : is("==") ? EQ : is("!=") ? NE : -1;
        if (op < 0)
            return;
        next();
        sum();
        emit(op);
    }
}
static void conjunction(void)
{
    cmp();
    while (is("&&")) {
        next();
        cmp();
        emit(AND);
    }
}
static void expr(void)
{
    conjunction();
    while (is("||")) {
        next();
        conjunction();
        emit(OR);
    }
}
static void stmt(void)
{
    if (toktype == T_ID && strcmp(tok, "while") == 0) {
        next();
        int top = ncode;
        expr();
        emit(JZ);
        int patch = ncode;
        emit(0);
        expect("{");
        while (!is("}"))
            stmt();
        next();
        emit(JMP);
        emit(top);
        code[patch] = ncode;
    } else if (toktype == T_ID && strcmp(tok, "if") == 0) {
        next();
        expr();
        emit(JZ);
        int patch = ncode;
        emit(0);
        expect("{");
        while (!is("}"))
            stmt();
        next();
        if (toktype == T_ID && strcmp(tok, "else") == 0) {
            next();
            emit(JMP);
            int patch2 = ncode;
            emit(0);
            code[patch] = ncode;
            expect("{");
            while (!is("}"))
                stmt();
            next();
            code[patch2] = ncode;
        } else {
            code[patch] = ncode;
        }
    } else if (toktype == T_ID && strcmp(tok, "print") == 0) {
        next();
        expr();
        emit(PRINT);
        expect(";");
    } else if (toktype == T_ID) {
        int v = tok[0] - 'a';
        vars[v] = 1;
        next();
        expect("=");
        expr();
        emit(STORE);
        emit(v);
        expect(";");
    } else {
        printf("bad statement at %s\n", tok);
        exit(1);
    }
}

static int64_t run(long *steps, int64_t *lastprint, int quiet)
{
    int64_t stack[256], mem[26] = { 0 };
    int sp = 0;
    long pc = 0, n = 0;
    int64_t printed = 0, hash = 0;
    for (;;) {
        n++;
        int64_t a, b;
        switch (code[pc++]) {
        case PUSH: stack[sp++] = code[pc++]; break;
        case LOAD: stack[sp++] = mem[code[pc++]]; break;
        case STORE: mem[code[pc++]] = stack[--sp]; break;
        case ADD: b = stack[--sp]; a = stack[--sp]; stack[sp++] = a + b; break;
        case SUB: b = stack[--sp]; a = stack[--sp]; stack[sp++] = a - b; break;
        case MUL: b = stack[--sp]; a = stack[--sp]; stack[sp++] = a * b; break;
        case DIV: b = stack[--sp]; a = stack[--sp]; stack[sp++] = b ? a / b : 0; break;
        case MOD: b = stack[--sp]; a = stack[--sp]; stack[sp++] = b ? a % b : 0; break;
        case LT: b = stack[--sp]; a = stack[--sp]; stack[sp++] = a < b; break;
        case LE: b = stack[--sp]; a = stack[--sp]; stack[sp++] = a <= b; break;
        case EQ: b = stack[--sp]; a = stack[--sp]; stack[sp++] = a == b; break;
        case NE: b = stack[--sp]; a = stack[--sp]; stack[sp++] = a != b; break;
        case AND: b = stack[--sp]; a = stack[--sp]; stack[sp++] = a && b; break;
        case OR: b = stack[--sp]; a = stack[--sp]; stack[sp++] = a || b; break;
        case NEG: stack[sp - 1] = -stack[sp - 1]; break;
        case NOT: stack[sp - 1] = !stack[sp - 1]; break;
        case JMP: pc = code[pc]; break;
        case JZ: a = stack[--sp]; pc = a ? pc + 1 : code[pc]; break;
        case PRINT:
            a = stack[--sp];
            if (!quiet)
                printf("  %lld\n", (long long)a);
            hash = hash * 31 + a;
            printed++;
            *lastprint = a;
            break;
        case HALT: *steps = n; return hash ^ printed;
        default: printf("bad opcode\n"); exit(1);
        }
    }
}

static void program(const char *name, const char *text, int quiet)
{
    src = text;
    ncode = 0;
    memset(vars, 0, sizeof vars);
    next();
    while (toktype != T_EOF)
        stmt();
    emit(HALT);
    printf("program %s: %d code words\n", name, ncode);
    if (strcmp(name, "gcd") == 0) {
        /* disassemble one small program */
        for (int pc = 0; pc < ncode;) {
            int op = (int)code[pc];
            printf("    %3d %s", pc, opnames[op]);
            pc++;
            if (op == PUSH || op == LOAD || op == STORE || op == JMP || op == JZ)
                printf(" %lld", (long long)code[pc++]);
            printf("\n");
        }
    }
    long steps = 0;
    int64_t last = 0;
    int64_t h = run(&steps, &last, quiet);
    printf("  -> steps=%ld last=%lld hash=%lld\n", steps, (long long)last, (long long)h);
}

int main(void)
{
    program("fib", "a = 0; b = 1; i = 0; while i < 50 { print a; t = a + b; a = b; b = t; i = i + 1; }", 0);
    program("gcd", "a = 1071; b = 462; while b != 0 { t = b; b = a % b; a = t; } print a;", 0);
    program("primes",
            "n = 2; c = 0; while n < 3000 { d = 2; p = 1; while d * d <= n && p { if n % d == 0 { p = 0; } d = d + 1; }"
            " if p { c = c + 1; l = n; } n = n + 1; } print c; print l;",
            0);
    program("collatz",
            "m = 0; k = 0; s = 1; while s < 3000 { x = s; n = 0; while x != 1 { if x % 2 == 0 { x = x / 2; } else { x = 3 * x + 1; } n = n + 1; }"
            " if m < n { m = n; k = s; } s = s + 1; } print k; print m;",
            0);
    program("nested",
            "t = 0; i = 0; while i < 200 { j = 0; while j < 200 { t = t + (i * j) % 7 - (i - j) / 3; j = j + 1; } i = i + 1; }"
            " print t; print -t; print !t; print !0 || 0; print (1 < 2) + (2 <= 2) + (3 == 3) + (4 != 4);",
            0);
    program("quiet", "i = 0; while i < 5000 { print i * i % 1000; i = i + 1; }", 1);
    return 0;
}
