/* exit3.c - returns 3 from main after printing (stdout is flushed by exit). */
#include <stdio.h>

int main(void)
{
    printf("returning 3 from main\n");
    return 3;
}
