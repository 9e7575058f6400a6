#!/usr/bin/perl
# A test SMSC built on Debian's Net::SMPP (libnet-smpp-perl): a different implementation of SMPP 3.4
# than the `smpp` npm package Herald's adapter uses, so the adapter is checked against a peer we did
# not write the protocol code of. Listens on 127.0.0.1 (port from argv, 0 = any free port).
#
# Driven over stdin/stdout with one JSON object per line (test/helpers/smsc-harness.ts):
#   out: {"ev":"listening","port":N} first, then events (bind, submit, enquire_link, unbind,
#        deliver_sm_resp, closed, stats, ...); per-PDU events are silenced by {"cmd":"quiet","on":1}.
#   in:  {"cmd":"delay","ms":N}                 hold every submit_sm_resp N ms (window tests)
#        {"cmd":"script","system_id":S,"statuses":[88,0]}  next submits of S answer these statuses
#        {"cmd":"receipts","on":1,"stat":"DELIVRD","delay_ms":20,"tlv":1,"id":"same|decimal"}
#        {"cmd":"mo","system_id":S?,"from":F,"to":T,"data_coding":DC,"esm_class":E,"hex":H}
#        {"cmd":"drop"}                         close every client connection (an SMSC restart)
#        {"cmd":"enquire"}                      send enquire_link to every bound client
#        {"cmd":"unbind"}                       send unbind to every bound client
#        {"cmd":"pause","prefix":P} / {"cmd":"resume"}  stop / start reading the binds whose system_id
#                                               starts with P (the client's submits wait in its queue)
#        {"cmd":"stats"} / {"cmd":"reset"}      counters (submits, max outstanding, first/last submit
#                                               time) / zero them
#        {"cmd":"quit"}
# The bound system_id picks the default outcome of a submit: one starting with "throttle" gets
# ESME_RTHROTTLED (0x58), "qfull" ESME_RMSGQFUL (0x14), "reject" ESME_RINVDSTADR (0x0B), "vanish"
# closes the connection without answering; anything else is accepted. Password "wrong" is refused.
use strict;
use warnings;
use Net::SMPP;
use IO::Select;
use JSON::PP;
use Time::HiRes qw(time);
use POSIX qw(strftime);
use Socket qw(IPPROTO_TCP TCP_NODELAY);

$| = 1;
$SIG{PIPE} = 'IGNORE';
my $json = JSON::PP->new->canonical;
my $port = $ARGV[0] // 0;
my $listener = Net::SMPP->new_listen('127.0.0.1', port => $port, smpp_version => 0x34, system_id => 'netsmpp')
  or die "cannot listen: $!";
my $sel = IO::Select->new($listener, \*STDIN);
my (%conns, @timers);
my $next_conn = 1;
my $next_id = 0x3A0000;    # ids whose hex and decimal forms differ
my %cfg = (delay_ms => 0, receipts => 1, stat => 'DELIVRD', receipt_delay_ms => 20, tlv => 1, idform => 'same', quiet => 0);
my %script;
my %stats = (submits => 0, max_outstanding => 0, receipts => 0, mo => 0, enquire_links => 0, first_at => 0, last_at => 0);
my @paused;

sub emit { print $json->encode($_[0]), "\n" }
sub event { emit($_[0]) unless $cfg{quiet} }
emit({ ev => 'listening', port => $listener->sockport });

sub close_conn {
    my ($c, $why) = @_;
    my $st = $conns{$c} or return;
    delete $conns{$c};
    $sel->remove($c);
    @timers = grep { $_->{conn} != $c } @timers;
    close $c;
    event({ ev => 'closed', conn => $st->{id}, why => $why });
}

sub smsc_time { strftime('%y%m%d%H%M', gmtime($_[0])) }

sub receipt_text {
    my ($id, $sm, $stat) = @_;
    my $text = substr($sm // '', 0, 20);
    $text =~ s/[^\x20-\x7e]/./g;
    my $now = time;
    my $err = $stat eq 'DELIVRD' ? '000' : '001';
    return "id:$id sub:001 dlvrd:" . ($stat eq 'DELIVRD' ? '001' : '000')
      . " submit date:" . smsc_time($now) . " done date:" . smsc_time($now) . " stat:$stat err:$err text:$text";
}

sub send_deliver {
    my ($c, %a) = @_;
    $c->deliver_sm(async => 1, %a);
}

sub handle_submit {
    my ($c, $st, $pdu) = @_;
    $stats{submits}++;
    my $now = time;
    $stats{first_at} ||= $now;
    $stats{last_at} = $now;
    $st->{outstanding}++;
    $stats{max_outstanding} = $st->{outstanding} if $st->{outstanding} > $stats{max_outstanding};
    my $status;
    my $queue = $script{ $st->{system_id} };
    if ($queue && @$queue) { $status = shift @$queue }
    elsif ($st->{system_id} =~ /^throttle/) { $status = 0x58 }
    elsif ($st->{system_id} =~ /^qfull/) { $status = 0x14 }
    elsif ($st->{system_id} =~ /^reject/) { $status = 0x0B }
    elsif ($st->{system_id} =~ /^vanish/) { $status = -1 }
    else { $status = 0 }
    my $num = $next_id++;
    my $id = sprintf('%08X', $num);
    emit({
        ev => 'submit', conn => $st->{id}, seq => $pdu->{seq}, outstanding => $st->{outstanding},
        source_addr => $pdu->{source_addr}, source_addr_ton => $pdu->{source_addr_ton},
        source_addr_npi => $pdu->{source_addr_npi}, destination_addr => $pdu->{destination_addr},
        dest_addr_ton => $pdu->{dest_addr_ton}, esm_class => $pdu->{esm_class},
        data_coding => $pdu->{data_coding}, registered_delivery => $pdu->{registered_delivery},
        validity_period => $pdu->{validity_period}, hex => unpack('H*', $pdu->{short_message}),
        status => $status, message_id => ($status == 0 ? $id : undef),
    }) unless $cfg{quiet};
    if ($status < 0) { close_conn($c, 'vanish'); return }
    my $respond = sub {
        $st->{outstanding}--;
        if ($status == 0) { $c->submit_sm_resp(seq => $pdu->{seq}, message_id => $id) }
        else { $c->submit_sm_resp(seq => $pdu->{seq}, status => $status, message_id => '') }
        if ($status == 0 && $cfg{receipts} && ($pdu->{registered_delivery} & 1)) {
            my $rid = $cfg{idform} eq 'decimal' ? "$num" : $id;
            my $sm = $pdu->{short_message};
            push @timers, { at => time + $cfg{receipt_delay_ms} / 1000, conn => $c, run => sub {
                my @tlv = $cfg{tlv} ? (receipted_message_id => "$id\0", message_state => pack('C', 2)) : ();
                $stats{receipts}++;
                send_deliver($c, source_addr_ton => $pdu->{dest_addr_ton}, source_addr_npi => $pdu->{dest_addr_npi},
                    source_addr => $pdu->{destination_addr}, dest_addr_ton => $pdu->{source_addr_ton},
                    dest_addr_npi => $pdu->{source_addr_npi}, destination_addr => $pdu->{source_addr},
                    esm_class => 0x04, data_coding => 0, short_message => receipt_text($rid, $sm, $cfg{stat}), @tlv);
            } };
        }
    };
    if ($cfg{delay_ms} > 0) { push @timers, { at => time + $cfg{delay_ms} / 1000, conn => $c, run => $respond } }
    else { $respond->() }
}

sub handle_pdu {
    my ($c, $pdu) = @_;
    my $st = $conns{$c};
    my $cmd = $pdu->{cmd};
    if ($cmd == 0x09 || $cmd == 0x02 || $cmd == 0x01) {
        my $ok = ($pdu->{password} // '') ne 'wrong';
        my $resp = $cmd == 0x09 ? 'bind_transceiver_resp' : $cmd == 0x02 ? 'bind_transmitter_resp' : 'bind_receiver_resp';
        $c->$resp(seq => $pdu->{seq}, status => ($ok ? 0 : 0x0E), system_id => 'netsmpp');
        $st->{system_id} = $pdu->{system_id};
        $st->{bound} = $ok;
        event({ ev => 'bind', conn => $st->{id}, system_id => $pdu->{system_id}, system_type => $pdu->{system_type},
            interface_version => $pdu->{interface_version}, ok => $ok ? JSON::PP::true : JSON::PP::false });
    } elsif ($cmd == 0x04) {
        if (!$st->{bound}) { $c->generic_nack(seq => $pdu->{seq}, status => 0x04); return }
        handle_submit($c, $st, $pdu);
    } elsif ($cmd == 0x15) {
        $stats{enquire_links}++;
        $c->enquire_link_resp(seq => $pdu->{seq});
        event({ ev => 'enquire_link', conn => $st->{id} });
    } elsif ($cmd == 0x06) {
        $c->unbind_resp(seq => $pdu->{seq});
        event({ ev => 'unbind', conn => $st->{id} });
        close_conn($c, 'unbind');
    } elsif ($cmd == 0x80000005) {
        event({ ev => 'deliver_sm_resp', conn => $st->{id}, seq => $pdu->{seq}, status => $pdu->{status} });
    } elsif ($cmd == 0x80000006) {
        event({ ev => 'unbind_resp', conn => $st->{id} });
    } elsif ($cmd == 0x80000015) {
        event({ ev => 'enquire_link_resp', conn => $st->{id} });
    } else {
        event({ ev => 'other', conn => $st->{id}, cmd => sprintf('0x%08x', $cmd) });
    }
}

sub pick_conn {
    my ($system_id) = @_;
    my @bound = sort { $conns{$b}{id} <=> $conns{$a}{id} }
      grep { $conns{$_}{bound} && (!defined $system_id || $conns{$_}{system_id} eq $system_id) } keys %conns;
    return @bound ? $conns{ $bound[0] }{sock} : undef;
}

sub handle_command {
    my ($line) = @_;
    my $m = eval { $json->decode($line) } or do { emit({ ev => 'error', error => "bad command: $line" }); return };
    my $cmd = $m->{cmd} // '';
    if ($cmd eq 'delay') { $cfg{delay_ms} = $m->{ms} }
    elsif ($cmd eq 'script') { $script{ $m->{system_id} } = [ @{ $m->{statuses} } ] }
    elsif ($cmd eq 'receipts') {
        $cfg{receipts} = $m->{on} // 1;
        $cfg{stat} = $m->{stat} if defined $m->{stat};
        $cfg{receipt_delay_ms} = $m->{delay_ms} if defined $m->{delay_ms};
        $cfg{tlv} = $m->{tlv} if defined $m->{tlv};
        $cfg{idform} = $m->{id} if defined $m->{id};
    } elsif ($cmd eq 'quiet') { $cfg{quiet} = $m->{on} }
    elsif ($cmd eq 'mo') {
        my $c = pick_conn($m->{system_id});
        if (!$c) { emit({ ev => 'error', error => 'no bound connection for mo' }); return }
        my $from = $m->{from};
        my $intl = $from =~ s/^\+//;
        $stats{mo}++;
        send_deliver($c, source_addr_ton => ($intl ? 1 : 0), source_addr_npi => 1, source_addr => $from,
            dest_addr_ton => 0, dest_addr_npi => 1, destination_addr => $m->{to},
            esm_class => $m->{esm_class} // 0, data_coding => $m->{data_coding} // 0,
            short_message => pack('H*', $m->{hex}));
    } elsif ($cmd eq 'drop') { close_conn($_->{sock}, 'drop') for values %conns }
    elsif ($cmd eq 'enquire') { $_->{sock}->enquire_link(async => 1) for grep { $_->{bound} } values %conns }
    elsif ($cmd eq 'unbind') { $_->{sock}->unbind(async => 1) for grep { $_->{bound} } values %conns }
    elsif ($cmd eq 'pause') {
        for my $st (values %conns) {
            next if index($st->{system_id}, $m->{prefix}) != 0;
            $sel->remove($st->{sock});
            push @paused, $st->{sock};
        }
    } elsif ($cmd eq 'resume') { $sel->add($_) for grep { $conns{$_} } splice @paused }
    elsif ($cmd eq 'stats') { emit({ ev => 'stats', %stats, connections => scalar(keys %conns) }) }
    elsif ($cmd eq 'reset') { $stats{$_} = 0 for keys %stats }
    elsif ($cmd eq 'quit') { exit 0 }
    emit({ ev => 'ok', cmd => $cmd, ($m->{tag} ? (tag => $m->{tag}) : ()) });
}

my $stdin_buf = '';
while (1) {
    @timers = sort { $a->{at} <=> $b->{at} } @timers;
    my $wait = @timers ? $timers[0]{at} - time : 1;
    $wait = 0 if $wait < 0;
    my @ready = $sel->can_read($wait);
    for my $fh (@ready) {
        if ($fh == $listener) {
            my $c = $listener->accept or next;
            # Each response goes out at once (no Nagle wait for the client's ACK), as a real SMSC's would.
            setsockopt($c, IPPROTO_TCP, TCP_NODELAY, 1);
            $conns{$c} = { sock => $c, id => $next_conn++, system_id => '', bound => 0, outstanding => 0 };
            $sel->add($c);
            event({ ev => 'connect', conn => $conns{$c}{id} });
        } elsif ($fh == \*STDIN) {
            my $n = sysread(STDIN, $stdin_buf, 65536, length $stdin_buf);
            exit 0 if !$n;    # the harness went away
            while ($stdin_buf =~ s/^([^\n]*)\n//) { handle_command($1) if length $1 }
        } elsif ($conns{$fh}) {
            my $pdu = $fh->read_pdu;
            if (!$pdu) { close_conn($fh, 'eof'); next }
            handle_pdu($fh, $pdu);
        }
    }
    my $now = time;
    while (@timers && $timers[0]{at} <= $now) {
        my $t = shift @timers;
        $t->{run}->() if $conns{ $t->{conn} };
    }
}
