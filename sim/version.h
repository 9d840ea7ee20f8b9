#ifndef VFSSIM_VERSION_H
#define VFSSIM_VERSION_H
#define VFSSIM_VERSION "0.1.0"
#endif
