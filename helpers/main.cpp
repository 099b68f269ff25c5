// vfioctl: the helper CLI. All the work is in the library and cli.cpp.
#include "cli.h"

int main(int argc, char **argv)
{
    return vfioctl::cli::run(argc, argv);
}
