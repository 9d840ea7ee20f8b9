/*
 * 08-calls.c — the program behind 08-calls.strace: each call beyond reads
 * and writes once (see traces/README.md).  Captured with
 *   strace -f -ttt -T -y -o t.st ./t   (in an empty directory)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/statfs.h>
#include <sys/xattr.h>
#include <stdio.h>
int main(void){
 int fd=open("f",O_RDWR|O_CREAT,0644); ftruncate(fd,65536);
 char *p=mmap(0,65536,PROT_READ|PROT_WRITE,MAP_SHARED,fd,0); p[5]=1; msync(p,65536,MS_SYNC); msync(p,4096,MS_ASYNC|MS_INVALIDATE); munmap(p,65536);
 fallocate(fd,0,0,131072); fallocate(fd,FALLOC_FL_KEEP_SIZE|FALLOC_FL_PUNCH_HOLE,4096,8192);
 posix_fadvise(fd,0,0,POSIX_FADV_DONTNEED);
 int g=open("g",O_WRONLY|O_CREAT,0644); off_t o=0; sendfile(g,fd,&o,1000); sendfile(g,fd,NULL,1000);
 loff_t oi=0, oo=10; copy_file_range(fd,&oi,g,&oo,100,0); copy_file_range(fd,NULL,g,NULL,100,0);
 link("f","f2"); linkat(AT_FDCWD,"f",AT_FDCWD,"f3",0); symlink("f","s"); symlinkat("a-long-target-name-that-is-longer-than-sixty-bytes-for-sure-yes",AT_FDCWD,"s2");
 char buf[100]; readlink("s",buf,100); readlinkat(AT_FDCWD,"s2",buf,100); readlink("f",buf,100);
 chmod("f",0600); fchmod(fd,0640); fchmodat(AT_FDCWD,"f",0644,0); chown("f",-1,-1); fchown(fd,-1,-1); lchown("s",-1,-1); fchownat(AT_FDCWD,"f",-1,-1,AT_SYMLINK_NOFOLLOW);
 struct timespec ts[2]={{0,UTIME_NOW},{0,UTIME_OMIT}}; utimensat(AT_FDCWD,"f",ts,0); futimens(fd,ts); utimensat(AT_FDCWD,"s",NULL,AT_SYMLINK_NOFOLLOW);
 struct timeval tv[2]={{1,0},{2,0}}; utimes("f",tv); futimesat(AT_FDCWD,"f",tv); 
 struct statfs sf; statfs("f",&sf); fstatfs(fd,&sf);
 getxattr("f","user.x",buf,100); lgetxattr("s","user.x",buf,100); fgetxattr(fd,"user.x",buf,100); setxattr("f","user.x","v",1,0); fsetxattr(fd,"user.y","v",1,0); listxattr("f",buf,100); flistxattr(fd,buf,100); removexattr("f","user.x"); fremovexattr(fd,"user.y"); lsetxattr("s","user.x","v",1,0); llistxattr("s",buf,100); lremovexattr("s","user.x");
 struct stat st; lstat("s",&st); fstatat(AT_FDCWD,"s2",&st,AT_SYMLINK_NOFOLLOW);
 char *q=mmap(0,8192,PROT_READ,MAP_PRIVATE,fd,4096); munmap(q,8192);
 return 0;}
