// SPDX-License-Identifier: GPL-2.0
/*
 * vpair: ethtool operations. ethtool -S shows the peer's ifindex (how a
 * user finds the other end from inside a namespace) and the drop reasons
 * that ip -s link folds into one column.
 */
#include <linux/ethtool.h>
#include <linux/netdevice.h>

#include "vpair.h"

static const char vpair_stat_names[VPAIR_STAT_NUM][ETH_GSTRING_LEN] = {
	[VPAIR_STAT_TX_DROPPED_MTU]		= "tx_dropped_mtu",
	[VPAIR_STAT_TX_DROPPED_PEER_DOWN]	= "tx_dropped_peer_down",
	[VPAIR_STAT_TX_DROPPED_SHORT]		= "tx_dropped_short",
	[VPAIR_STAT_TX_BYPASS]			= "tx_bypass",
	[VPAIR_STAT_RX_HAIRPIN]			= "rx_hairpin",
	[VPAIR_STAT_TX_HAIRPIN_ARP]		= "tx_hairpin_arp",
};

static void vpair_get_drvinfo(struct net_device *dev,
			      struct ethtool_drvinfo *info)
{
	strscpy(info->driver, VPAIR_DRV_NAME, sizeof(info->driver));
	strscpy(info->version, VPAIR_VERSION, sizeof(info->version));
}

/* A software cable has no speed; report what veth does, so tools agree. */
static int vpair_get_link_ksettings(struct net_device *dev,
				    struct ethtool_link_ksettings *cmd)
{
	cmd->base.speed = SPEED_10000;
	cmd->base.duplex = DUPLEX_FULL;
	cmd->base.port = PORT_TP;
	cmd->base.autoneg = AUTONEG_DISABLE;
	return 0;
}

static int vpair_get_sset_count(struct net_device *dev, int sset)
{
	/* peer_ifindex, then the counters. */
	return sset == ETH_SS_STATS ? 1 + VPAIR_STAT_NUM : -EOPNOTSUPP;
}

static void vpair_get_strings(struct net_device *dev, u32 sset, u8 *buf)
{
	unsigned int i;

	if (sset != ETH_SS_STATS)
		return;

	ethtool_puts(&buf, "peer_ifindex");
	for (i = 0; i < VPAIR_STAT_NUM; i++)
		ethtool_puts(&buf, vpair_stat_names[i]);
}

static void vpair_get_ethtool_stats(struct net_device *dev,
				    struct ethtool_stats *estats, u64 *data)
{
	struct vpair_priv *priv = netdev_priv(dev);
	struct net_device *peer;
	unsigned int i;
	int cpu;

	rcu_read_lock();
	peer = vpair_peer_rcu(dev);
	data[0] = peer ? peer->ifindex : 0;
	rcu_read_unlock();

	memset(&data[1], 0, VPAIR_STAT_NUM * sizeof(*data));
	for_each_possible_cpu(cpu) {
		const struct vpair_pcpu_stats *stats;
		u64 cnt[VPAIR_STAT_NUM];
		unsigned int start;

		stats = per_cpu_ptr(priv->stats, cpu);
		do {
			start = u64_stats_fetch_begin(&stats->syncp);
			for (i = 0; i < VPAIR_STAT_NUM; i++)
				cnt[i] = u64_stats_read(&stats->cnt[i]);
		} while (u64_stats_fetch_retry(&stats->syncp, start));

		for (i = 0; i < VPAIR_STAT_NUM; i++)
			data[1 + i] += cnt[i];
	}
}

static void vpair_get_channels(struct net_device *dev,
			       struct ethtool_channels *ch)
{
	ch->max_rx = dev->num_rx_queues;
	ch->max_tx = dev->num_tx_queues;
	ch->rx_count = dev->real_num_rx_queues;
	ch->tx_count = dev->real_num_tx_queues;
}

/*
 * The core has checked the counts against get_channels' maxima. Combined
 * channels make no sense on a cable: both directions are independent.
 */
static int vpair_set_channels(struct net_device *dev,
			      struct ethtool_channels *ch)
{
	if (ch->combined_count || !ch->rx_count || !ch->tx_count)
		return -EINVAL;

	return netif_set_real_num_queues(dev, ch->tx_count, ch->rx_count);
}

const struct ethtool_ops vpair_ethtool_ops = {
	.get_drvinfo		= vpair_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_link_ksettings	= vpair_get_link_ksettings,
	.get_sset_count		= vpair_get_sset_count,
	.get_strings		= vpair_get_strings,
	.get_ethtool_stats	= vpair_get_ethtool_stats,
	.get_channels		= vpair_get_channels,
	.set_channels		= vpair_set_channels,
	.get_ts_info		= ethtool_op_get_ts_info,
};
