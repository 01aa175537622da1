/*
 * The parts of t_echo in waits.c, run by init from main.c after the echo run:
 * each counts its own checks (t_check.h).
 */
#ifndef T_ECHO_H
#define T_ECHO_H

/* recv polling an empty endpoint, recv / send / call with a 50 ms timeout, a call to a
 * server that receives and never replies. */
void t_check_timeouts(void);

/* Badges and bits ORed into a notification's word, cleared by wait, a waiter woken by
 * another thread. */
void t_check_notifications(void);

/* A saved reply (SYS_REPLY_SAVE) answered later (SYS_REPLY_TO) after another call was
 * served, and consumed by that. */
void t_check_reply_save(void);

#endif
