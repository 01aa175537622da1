# Host unit tests of the quota accounting (kernel/obj/quota.c): charging to
# the limit, the tree of reservations, objects that carry their charge until
# the object reaper gives it back, overflowing limits, and charges racing on
# several threads. The object references come from the capability code.
HOST_TESTS += quota
quota_SRCS   := kernel/obj/quota.c kernel/obj/cspace.c kernel/obj/cap_tree.c kernel/obj/kobject.c
quota_LDLIBS := -lpthread
